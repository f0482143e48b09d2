package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// The progress line shows the rows and their rate; it is drawn only on a
// terminal, so a file or a pipe gets nothing.
func TestImportProgress(t *testing.T) {
	if got := progressLine(150000, 2, 10*time.Second); !strings.Contains(got, "150000 rows read, 2 bad, 15000 rows/s, 10s") {
		t.Errorf("progress line %q", got)
	}
	if p := newImportProgress(&bytes.Buffer{}); p != nil {
		t.Error("progress drawn to a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := newImportProgress(f)
	p.report(10, 0)
	p.done()
	if fi, _ := f.Stat(); p != nil || fi.Size() != 0 {
		t.Errorf("progress drawn to a file (%d bytes)", fi.Size())
	}
}
