package report_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/mteja/mteja/internal/report"
)

func TestCSVRoundTrips(t *testing.T) {
	tbl := report.Table{ID: "t",
		Columns: []report.Column{
			{Key: "name", Label: report.Label{EN: "Name, as typed", SW: "Jina"}, Kind: report.Text},
			{Key: "day", Label: report.Label{EN: "Day"}, Kind: report.Day},
			{Key: "n", Label: report.Label{EN: "Count"}, Kind: report.Count},
			{Key: "a", Label: report.Label{EN: "Amount"}, Kind: report.Money},
			{Key: "d", Label: report.Label{EN: "Wait"}, Kind: report.Duration},
			{Key: "e", Label: report.Label{EN: "Energy"}, Kind: report.Energy},
		},
		Rows: [][]report.Cell{
			{{Text: "kibera", Label: report.Label{EN: `Kibera "Soweto", east`, SW: "Kibera Mashariki"}}, {Text: "2026-03-02"}, {N: 1234567}, {N: 123456}, {N: 1_234_567}, {N: 6130}},
			{{Text: "line\nbreak"}, {Text: "2026-03-03"}, {N: 0}, {N: -320}, {N: 499}, {N: 5}},
			{{Text: "=HYPERLINK(\"http://x\")"}, {Text: "2026-03-04"}, {Null: true}, {Null: true}, {Null: true}, {Null: true}},
			{{Text: "-2+3"}, {Text: "2026-03-05"}, {N: 1}, {N: 5}, {N: 1_000_500}, {N: 1000}},
		}}
	var b bytes.Buffer
	if err := report.WriteCSV(&b, tbl, report.EN); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b.Bytes(), []byte("\n")) != bytes.Count(b.Bytes(), []byte("\r\n")) || !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		t.Errorf("want every line ended by CRLF:\n%q", b.String())
	}
	got, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Name, as typed", "Day", "Count", "Amount", "Wait (s)", "Energy (kWh)"},
		{`Kibera "Soweto", east`, "2026-03-02", "1234567", "1234.56", "1.235", "6.130"},
		{"line\nbreak", "2026-03-03", "0", "-3.20", "0.000", "0.005"},
		// A spreadsheet would run these as formulas.
		{`'=HYPERLINK("http://x")`, "2026-03-04", "", "", "", ""},
		{"'-2+3", "2026-03-05", "1", "0.05", "1.001", "1.000"},
	}
	for i := range want {
		if i >= len(got) || !slices.Equal(got[i], want[i]) {
			t.Errorf("record %d:\n got %q\nwant %q", i, got[min(i, len(got)-1)], want[i])
		}
	}
}
