package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/load/loadtest"
)

// A named pipe among the notes: graphload reports it and finishes, instead of
// blocking in open(2) for ever where no signal reaches it.
func TestNamedPipeDoesNotHang(t *testing.T) {
	bin := buildGraphload(t)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	if err := loadtest.Write(notes, 5, 0, 3); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(notes, "p.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-store", "sqlite:"+filepath.Join(dir, "g.db"), notes)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("exit: %v, want status 1\n%s", err, errOut.String())
		}
		if !strings.Contains(errOut.String(), "p.md: not a regular file (a named pipe)") || !strings.Contains(out.String(), "3 loaded") {
			t.Fatalf("stdout %q stderr %q", out.String(), errOut.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("graphload hangs on a named pipe")
	}
}

// Ctrl-C in the middle of a load: graphload says it was interrupted and exits
// 130, and a rerun gives exactly what a clean load gives.
func TestInterruptStopsCleanly(t *testing.T) {
	bin := buildGraphload(t)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	if err := loadtest.Write(notes, 6, 0, 500); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "g.db")
	cmd := exec.Command(bin, "-store", "sqlite:"+db, notes)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once episodes are being written: the store's write-ahead log
	// appears with the first write.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if info, err := os.Stat(db + "-wal"); err == nil && info.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no write within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("after Ctrl-C: %v, want exit status 130 (stderr %q)", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "graphload: interrupted:") {
		t.Fatalf("stderr %q does not say the load was interrupted", errOut.String())
	}
	if out, err := exec.Command(bin, "-store", "sqlite:"+db, notes).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	clean := filepath.Join(dir, "clean.db")
	if out, err := exec.Command(bin, "-store", "sqlite:"+clean, notes).CombinedOutput(); err != nil {
		t.Fatalf("clean load: %v\n%s", err, out)
	}
	got, err := exec.Command(bin, "export", "-store", "sqlite:"+db).Output()
	if err != nil {
		t.Fatal(err)
	}
	want, err := exec.Command(bin, "export", "-store", "sqlite:"+clean).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("after an interrupted load and a rerun the store differs from a clean load")
	}
}

// A folder that does not exist, or a store that does not, is an error that
// creates nothing.
func TestMissingInputCreatesNoStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	_, _, err := runCmd(t, "-store", "sqlite:"+db, filepath.Join(dir, "notes-typo"))
	if err == nil || !strings.Contains(err.Error(), "notes-typo: no such file or folder") {
		t.Fatalf("missing folder: %v", err)
	}
	_, _, err = runCmd(t, "export", "-store", "sqlite:"+db)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("export of a missing store: %v", err)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a store was created: %v", err)
	}
}

// A file name with a newline cannot forge a log line: it is printed quoted.
func TestFileNamesCannotForgeLogLines(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes")
	if err := loadtest.Write(notes, 8, 0, 1); err != nil {
		t.Fatal(err)
	}
	evil := filepath.Join(notes, "x\ngraphload: 0 of 1 files failed; all is well.md")
	if err := os.WriteFile(evil, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := runCmd(t, "-store", "sqlite:"+filepath.Join(dir, "g.db"), notes)
	if err == nil {
		t.Fatal("an empty file must fail")
	}
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if strings.HasPrefix(line, "graphload: 0 of 1") {
			t.Fatalf("forged line %q in\n%s", line, errOut)
		}
	}
	if !strings.Contains(errOut, `x\ngraphload: 0 of 1 files failed; all is well.md"`) {
		t.Fatalf("the name is not quoted:\n%s", errOut)
	}
}

// explain reads files the way a load does: a named pipe is named, not
// waited on.
func TestExplainRefusesANamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := loadtest.Write(dir, 9, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "p.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		out, errOut string
		err         error
	}
	done := make(chan outcome, 1)
	go func() {
		out, errOut, err := runCmd(t, "explain", "lantern", dir)
		done <- outcome{out, errOut, err}
	}()
	select {
	case o := <-done:
		if !strings.Contains(o.errOut, "p.md: not a regular file (a named pipe)") {
			t.Fatalf("explain: %v, stdout %q, stderr %q", o.err, o.out, o.errOut)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("explain hangs on a named pipe")
	}
}
