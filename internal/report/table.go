package report

import (
	"strconv"

	"github.com/mteja/mteja/internal/money"
)

// Kind says what a column holds and so how its cells read.
type Kind uint8

const (
	Text     Kind = iota // a name: Cell.Label, or Cell.Text when it has none
	Day                  // Cell.Text, YYYY-MM-DD in East Africa Time
	Count                // Cell.N
	Money                // Cell.N minor units
	Duration             // Cell.N microseconds
	Energy               // Cell.N Wh, shown as kWh
)

// Column is one column of a table.
type Column struct {
	Key   string // stable name for code (e.g. "collected")
	Label Label
	Kind  Kind
}

// Cell is one value. Null marks a value that does not exist (a percentile
// of no samples), which is not the same as zero.
type Cell struct {
	Text  string
	Label Label
	N     int64
	Null  bool
}

func textCell(key string, l Label) Cell { return Cell{Text: key, Label: l} }
func dayCell(d string) Cell             { return Cell{Text: d} }
func num(n int64) Cell                  { return Cell{N: n} }
func null() Cell                        { return Cell{Null: true} }

// Table is a report's result: columns, rows, and the plots that show it.
type Table struct {
	ID    string
	Title Label
	// Note says in a sentence what the figures count, for the page.
	Note    Label
	Columns []Column
	Rows    [][]Cell
	Plots   []Plot
}

// Col returns the index of the column with key, or -1.
func (t Table) Col(key string) int {
	for i, c := range t.Columns {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// Sum adds up a numeric column over all rows (null cells count nothing).
func (t Table) Sum(key string) int64 {
	i := t.Col(key)
	var s int64
	for _, r := range t.Rows {
		if i >= 0 && !r[i].Null {
			s += r[i].N
		}
	}
	return s
}

// Format returns the cell at row, col as a page shows it: thousands
// separated, money with cents, durations in the unit that reads best.
func (t Table) Format(row, col int, lang Lang) string {
	return formatCell(t.Rows[row][col], t.Columns[col].Kind, lang)
}

func formatCell(c Cell, k Kind, lang Lang) string {
	if c.Null {
		return "–"
	}
	switch k {
	case Count:
		return thousands(c.N)
	case Money:
		return money.Amount(c.N).String()
	case Duration:
		return humanDuration(c.N, lang)
	case Energy:
		return sign(c.N) + thousands(abs(c.N)/1000) + "." + pad3(abs(c.N)%1000) + " kWh"
	}
	return c.text(lang)
}

func (c Cell) text(lang Lang) string {
	if s := c.Label.In(lang); s != "" {
		return s
	}
	return c.Text
}

// thousands writes n with comma separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return sign + string(out)
}

func pad3(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// durationUnits are the units a duration is shown in, largest first.
var durationUnits = []struct {
	us    int64
	label Label
}{
	{86_400_000_000, Label{"d", "siku"}},
	{3_600_000_000, Label{"h", "saa"}},
	{60_000_000, Label{"min", "dak"}},
	{1_000_000, Label{"s", "sek"}},
	{1_000, Label{"ms", "ms"}},
}

// humanDuration shows a duration in its largest unit with one decimal
// (rounded down) below ten of that unit: "850 ms", "1.2 s", "14 min",
// "3.5 d"; under a tenth of a millisecond is "0 ms". A negative duration (the
// clocks of two nodes disagree) keeps its sign.
func humanDuration(us int64, lang Lang) string {
	if us < 0 {
		return "-" + humanDuration(-us, lang)
	}
	for _, u := range durationUnits {
		if us >= u.us || u.us == 1_000 {
			whole, tenth := us/u.us, us%u.us*10/u.us
			s := strconv.FormatInt(whole, 10)
			if whole < 10 && tenth > 0 {
				s += "." + strconv.FormatInt(tenth, 10)
			}
			return s + " " + u.label.In(lang)
		}
	}
	return ""
}
