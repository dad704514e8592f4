package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFeedAndTranscripts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "g.db")
	// The example feed names its transcripts by paths relative to itself; the
	// cache goes beside the store unless -cache says otherwise.
	out, errOut, err := runCmd(t, "-store", "sqlite:"+db, "../../examples/transcripts/feed.xml")
	if err != nil || !strings.Contains(out, "2 episodes (2 loaded") {
		t.Fatalf("feed: %v %q %q", err, out, errOut)
	}
	if _, err := os.Stat(db + ".cache"); err != nil {
		t.Errorf("no cache beside the store: %v", err)
	}
	out, _, err = runCmd(t, "-store", "sqlite:"+db, "../../examples/transcripts/feed.xml")
	if err != nil || !strings.Contains(out, "0 loaded, 2 unchanged") {
		t.Fatalf("rerun: %v %q", err, out)
	}
	out, _, err = runCmd(t, "explain", "district heating", "../../examples/transcripts")
	if err != nil || !strings.Contains(out, "2024-10-15-district-heating-in-copenhagen.srt:") || !strings.Contains(out, "kept") {
		t.Fatalf("explain on transcripts: %v %q", err, out)
	}
	out, errOut, err = runCmd(t, "explain", "-cache", filepath.Join(dir, "c"), "flow temperature", "../../examples/transcripts/feed.xml")
	if err != nil || !strings.Contains(out, "examples/transcripts/2024-10-08-heat-pumps-in-old-houses.vtt:") || !strings.Contains(out, "as a concept in 1 of 2 files") {
		t.Fatalf("explain on a feed: %v %q %q", err, out, errOut)
	}
}

func TestBrokenCueExitsNonZero(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "talk.vtt"), []byte("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana Lund>Tidal energy is predictable.\n\n00:00:xx.000 --> 00:00:03.000\nlost\n"), 0o644)
	out, errOut, err := runCmd(t, "-store", "sqlite:"+filepath.Join(dir, "g.db"), "-cache", filepath.Join(dir, "c"), dir)
	if err == nil || !strings.Contains(out, "1 loaded") || !strings.Contains(errOut, "talk.vtt:6: bad cue timing") {
		t.Fatalf("err %v stdout %q stderr %q", err, out, errOut)
	}
}
