package neo4j

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMain serialises test binaries of this package on one machine: every
// test wipes the shared dev database, so two `go test ./...` runs at once
// (two engineers, or a run while a benchmark goes on) would wipe each other's data.
func TestMain(m *testing.M) {
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "topicgraph-neo4j-tests.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		fmt.Fprintln(os.Stderr, "neo4j tests: opening the lock file:", err)
		os.Exit(1)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		fmt.Fprintln(os.Stderr, "neo4j tests: locking:", err)
		os.Exit(1)
	}
	code := m.Run()
	lock.Close() // releases the lock
	os.Exit(code)
}
