package tariff

import (
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a tariff file, where it is.
type Problem struct {
	// Line is the file's line, from 1; 0 only when the problem concerns
	// the whole file (it is empty).
	Line int
	// Path is the key the problem is about ("versions[1].energy_blocks[0].rate");
	// "" when Msg names it.
	Path string
	Msg  string
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// FileError is every problem found in a tariff file, in the order of their
// lines. Parse returns it (wrapped) whenever the file is refused, so that a
// caller can list the problems one to a line.
type FileError struct {
	Problems []Problem
}

func (e *FileError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.Error())
	}
	return b.String()
}

// fileError returns the problems as a *FileError sorted by line, or nil.
// The sort is stable: problems on one line keep the order they were found.
func fileError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
	return &FileError{Problems: ps}
}
