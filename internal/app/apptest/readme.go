package apptest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ReadmeTable returns the rows of the first table under the README's
// "## section" heading, each a list of cells without their backquotes,
// the header row first and the --- row left out; tests hold the README's
// tables to the code.
func ReadmeTable(t testing.TB, section string) [][]string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(here), "../../../README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, ok := strings.Cut(string(b), "\n## "+section+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", "## "+section)
	}
	body, _, _ = strings.Cut(body, "\n## ")
	var rows [][]string
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break
			}
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "| "), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, cells)
	}
	return rows
}
