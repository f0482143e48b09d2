package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// importProgress draws one line on a terminal, rewritten in place, with
// the rows read and the rate; to a file or a pipe it writes nothing, so
// that logs and scripts see only the result.
type importProgress struct {
	w     io.Writer
	start time.Time
	last  time.Time
	drawn bool
}

func newImportProgress(w io.Writer) *importProgress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &importProgress{w: w, start: time.Now()}
}

// report is ImportOptions.Progress; a nil progress draws nothing.
func (p *importProgress) report(rows, bad int) {
	if p == nil || time.Since(p.last) < 250*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.drawn = true
	fmt.Fprintf(p.w, "\r%s", progressLine(rows, bad, time.Since(p.start)))
}

// done ends the line so that what follows starts on its own.
func (p *importProgress) done() {
	if p != nil && p.drawn {
		fmt.Fprintln(p.w)
	}
}

func progressLine(rows, bad int, took time.Duration) string {
	rate := 0.0
	if took > 0 {
		rate = float64(rows) / took.Seconds()
	}
	return fmt.Sprintf("import: %d rows read, %d bad, %.0f rows/s, %s   ", rows, bad, rate, took.Round(time.Second))
}
