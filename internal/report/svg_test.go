package report_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden charts in testdata")

// maxChart bounds a chart's size: a month by day with eight stacked
// series, the most a report draws, stays within it.
const maxChart = 8 << 10

func days(n int) []report.Label {
	out := make([]report.Label, n)
	for i := range out {
		d := strconv.Itoa(i + 1)
		if len(d) == 1 {
			d = "0" + d
		}
		out[i] = report.Label{EN: d + "/03", SW: d + "/03"}
	}
	return out
}

var goldenPlots = map[string]struct {
	plot report.Plot
	lang report.Lang
}{
	"stacked-money-sw": {report.Plot{ID: "collections", Title: report.Label{EN: "Collections by channel", SW: "Makusanyo kwa njia"}, Kind: report.Stacked, Unit: report.Money,
		X: days(7), Series: []report.Series{
			{Name: report.Label{EN: "Paybill (C2B)", SW: "Paybill (C2B)"}, Values: []int64{1_250_000, 980_000, 1_430_050, 0, 1_100_000, 1_620_000, 870_000}},
			{Name: report.Label{EN: "STK from USSD", SW: "STK kupitia USSD"}, Values: []int64{310_000, 295_000, 402_000, 120_000, 0, 388_000, 290_000}},
			{Name: report.Label{EN: "Staff, from suspense", SW: "Wafanyakazi, kutoka malipo yaliyosimamishwa"}, Values: []int64{20_000, 0, 0, 45_000, 0, 0, 10_000}},
		}}, report.SW},
	"bars-duration": {report.Plot{ID: "faults-times", Title: report.Label{EN: "Time to close", SW: "Muda wa kufunga"}, Kind: report.Bars, Unit: report.Duration,
		X: []report.Label{{EN: "No power"}, {EN: "Token rejected"}, {EN: "Meter"}, {EN: "Other"}}, Series: []report.Series{
			{Name: report.Label{EN: "Median"}, Values: []int64{5_400_000_000, 1_800_000_000, 86_400_000_000, 0}, Missing: []bool{false, false, false, true}},
			{Name: report.Label{EN: "p90"}, Values: []int64{30_600_000_000, 7_200_000_000, 259_200_000_000, 0}, Missing: []bool{false, false, false, true}},
		}}, report.EN},
	"lines-gaps": {report.Plot{ID: "latency-token", Title: report.Label{EN: "Payment to token"}, Kind: report.Lines, Unit: report.Duration,
		X: days(10), Series: []report.Series{
			{Name: report.Label{EN: "p50"}, Values: []int64{800_000, 750_000, 0, 900_000, 850_000, 0, 700_000, 0, 950_000, 800_000}, Missing: []bool{false, false, true, false, false, true, false, true, false, false}},
			{Name: report.Label{EN: "p95"}, Values: []int64{2_100_000, 1_900_000, 0, 2_500_000, 2_000_000, 0, 1_800_000, 0, 2_200_000, 2_050_000}, Missing: []bool{false, false, true, false, false, true, false, true, false, false}},
			{Name: report.Label{EN: "p99"}, Values: []int64{4_000_000, 3_500_000, 0, 6_100_000, 3_900_000, 0, 3_000_000, 0, 4_400_000, 3_700_000}, Missing: []bool{false, false, true, false, false, true, false, true, false, false}},
		}}, report.EN},
	"empty": {report.Plot{ID: "usage-channels", Title: report.Label{EN: "Uses by channel"}, Kind: report.Stacked, Unit: report.Count}, report.EN},
}

func render(t *testing.T, p report.Plot, lang report.Lang) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := report.WriteSVG(&b, p, lang); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestChartsMatchTheirGoldenFiles(t *testing.T) {
	for name, g := range goldenPlots {
		t.Run(name, func(t *testing.T) {
			got := render(t, g.plot, g.lang)
			checkSVG(t, got, g.plot.Title.In(g.lang))
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run the test with -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the chart drawn now (-update rewrites it after a deliberate change):\n%s", path, got)
			}
			if again := render(t, g.plot, g.lang); !bytes.Equal(again, got) {
				t.Error("the same plot drew two different charts")
			}
		})
	}
}

// checkSVG parses a chart as XML and checks what every chart must have:
// an <svg> root that scales by its viewBox, a title and a description
// first, text readable on a 360 px phone, and a small size.
func checkSVG(t *testing.T, svg []byte, title string) {
	t.Helper()
	if len(svg) > maxChart {
		t.Errorf("chart %q is %d bytes, over %d", title, len(svg), maxChart)
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var names []string
	var gotTitle, gotDesc strings.Builder
	var in string
	width := 0.0
	minFont := 1e9
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart %q is not well-formed XML: %v\n%s", title, err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			names = append(names, tok.Name.Local)
			in = tok.Name.Local
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "viewBox":
					f := strings.Fields(a.Value)
					width, _ = strconv.ParseFloat(f[2], 64)
				case "width", "height":
					if tok.Name.Local == "svg" {
						t.Errorf("chart %q has a fixed %s; it must scale by its viewBox", title, a.Name.Local)
					}
				case "font-size":
					fs, _ := strconv.ParseFloat(a.Value, 64)
					minFont = min(minFont, fs)
				}
			}
		case xml.CharData:
			switch in {
			case "title":
				gotTitle.Write(tok)
			case "desc":
				gotDesc.Write(tok)
			}
		case xml.EndElement:
			in = ""
		}
	}
	if len(names) < 3 || names[0] != "svg" || names[1] != "title" || names[2] != "desc" {
		t.Fatalf("chart %q starts %v; want svg, title, desc", title, names[:min(3, len(names))])
	}
	if gotTitle.String() != title || gotDesc.Len() == 0 {
		t.Errorf("chart title %q (want %q), description %q", gotTitle.String(), title, gotDesc.String())
	}
	if width == 0 || minFont*360/width < 9 {
		t.Errorf("chart %q: %gpt text in a %g wide viewBox reads at %.1f px on a 360 px screen", title, minFont, width, minFont*360/width)
	}
}

// checkPlots draws every plot of a table in both languages and checks
// each chart.
func checkPlots(t *testing.T, tbl report.Table) {
	t.Helper()
	if len(tbl.Plots) == 0 {
		t.Errorf("report %s has no plot", tbl.ID)
	}
	for _, p := range tbl.Plots {
		for _, lang := range []report.Lang{report.EN, report.SW} {
			checkSVG(t, render(t, p, lang), p.Title.In(lang))
		}
	}
}

func TestChartEscapesText(t *testing.T) {
	evil := "<script>alert(\"x\")</script> & ]]> 'q' \x00\x01\xff"
	shown := "<script>alert(\"x\")</script> & ]]> 'q' \ufffd\ufffd\ufffd" // what XML can hold of it
	p := report.Plot{ID: `x" onload="alert(1)`, Title: report.Label{EN: evil}, Kind: report.Bars, Unit: report.Count,
		X: []report.Label{{EN: evil}}, Series: []report.Series{{Name: report.Label{EN: evil}, Values: []int64{3}}}}
	svg := render(t, p, report.EN)
	checkSVG(t, svg, shown)
	if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte("onload=")) {
		t.Errorf("text or id escaped into markup:\n%s", svg)
	}
}

func TestTheBiggestChartStaysSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := report.Plot{ID: "big", Title: report.Label{EN: "A month of eight channels"}, Kind: report.Stacked, Unit: report.Money, X: days(31)}
	for i := range 8 {
		s := report.Series{Name: report.Label{EN: "Channel number " + strconv.Itoa(i)}}
		for range 31 {
			s.Values = append(s.Values, rng.Int64N(50_000_000))
		}
		p.Series = append(p.Series, s)
	}
	svg := render(t, p, report.EN)
	checkSVG(t, svg, p.Title.EN)
	p.Kind = report.Lines
	checkSVG(t, render(t, p, report.SW), p.Title.In(report.SW))
}
