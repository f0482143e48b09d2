package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chart geometry, in viewBox units. The chart has a viewBox and no size of
// its own, so it takes the width of its container: 400 units wide, its
// 11-unit text reads at 10 px on a 360 px phone. On a wide screen the page
// should cap the container (32rem keeps the text at 14 px), or the text
// grows with it: a chart 1280 px wide would letter at 35 px.
const (
	svgW      = 400
	plotH     = 170 // the plotting area's height
	padL      = 46  // room for the value labels
	padR      = 10
	padT      = 8
	padB      = 22 // room for the category labels
	fontSize  = 11
	charW     = 6.2 // a sans-serif character's average width at fontSize, to lay labels out
	legendRow = 16
	lineH     = 13 // a second line of a category label
	swatch    = 10
)

// palette is Okabe and Ito's, which readers with colour blindness can tell
// apart; past eight series the colours repeat and the table tells them
// apart.
var palette = []string{"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442"}

var chartKinds = map[PlotKind]Label{
	Bars:    {"Bar chart", "Grafu ya nguzo"},
	Stacked: {"Stacked bar chart", "Grafu ya nguzo zilizorundikwa"},
	Lines:   {"Line chart", "Grafu ya mistari"},
}

// WriteSVG draws p as an SVG chart, labelled in lang: value axis with
// ticks, category labels (on two lines, shortened or thinned to fit), a
// legend, and a <title> and <desc> for screen readers. All text is
// escaped. The output depends only on p and lang, byte for byte.
func WriteSVG(w io.Writer, p Plot, lang Lang) error {
	var b bytes.Buffer
	c := chart{b: &b, p: p, lang: lang, id: safeID(p.ID)}
	c.draw()
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("plot %s: %w", p.ID, err)
	}
	return nil
}

type chart struct {
	b    *bytes.Buffer
	p    Plot
	lang Lang
	id   string
	ax   axis
	top  float64 // the plotting area's top
	// cats are the category labels as laid out, catLines the most lines
	// one takes.
	cats     []category
	catLines int
}

func (c *chart) draw() {
	legend := c.legendRows()
	c.top = padT + float64(len(legend)*legendRow) + 4
	c.catLines = 1
	if len(c.p.X) > 0 {
		c.layoutCategories()
	}
	height := c.top + plotH + padB + float64((c.catLines-1)*lineH)
	fmt.Fprintf(c.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" role="img" aria-labelledby="%s-t %s-d" font-family="sans-serif" font-size="%d">`,
		svgW, f1(height), c.id, c.id, fontSize)
	fmt.Fprintf(c.b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.id, esc(c.p.Title.In(c.lang)), c.id, esc(c.describe()))
	c.drawLegend(legend)
	lo, hi := c.p.bounds()
	c.ax = niceAxis(lo, hi, c.p.Unit)
	c.drawValueAxis()
	if len(c.p.X) == 0 || len(c.p.Series) == 0 {
		fmt.Fprintf(c.b, `<text x="%s" y="%s" text-anchor="middle" fill="#555">%s</text>`,
			f1((padL+svgW-padR)/2), f1(c.top+plotH/2), esc(noData.In(c.lang)))
	} else {
		switch c.p.Kind {
		case Lines:
			c.drawLines()
		default:
			c.drawBars()
		}
		c.drawCategories()
	}
	c.b.WriteString(`</svg>`)
}

var noData = Label{"No data", "Hakuna data"}

// legendEntry is one series' place in the legend.
type legendEntry struct {
	x    float64
	name string
}

// legendRows lays the series' names out left to right, in as many rows
// as they need.
func (c *chart) legendRows() [][]legendEntry {
	var rows [][]legendEntry
	x := float64(svgW) // forces a first row
	for _, s := range c.p.Series {
		name := shorten(s.Name.In(c.lang), svgW-padR-padL-swatch-16)
		w := swatch + 4 + textWidth(name) + 12
		if x+w > svgW-padR && x > padL {
			rows = append(rows, nil)
			x = padL
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], legendEntry{x, name})
		x += w
	}
	return rows
}

func (c *chart) drawLegend(rows [][]legendEntry) {
	i := 0
	for r, row := range rows {
		y := padT + float64(r*legendRow)
		for _, e := range row {
			fmt.Fprintf(c.b, `<rect x="%s" y="%s" width="%d" height="%d" fill="%s"/><text x="%s" y="%s">%s</text>`,
				f1(e.x), f1(y+1), swatch, swatch, color(i), f1(e.x+swatch+4), f1(y+10), esc(e.name))
			i++
		}
	}
}

func (c *chart) y(v int64) float64 {
	span := float64(c.ax.hi() - c.ax.lo)
	return c.top + plotH - float64(v-c.ax.lo)/span*plotH
}

func (c *chart) drawValueAxis() {
	var grid strings.Builder
	c.b.WriteString(`<g text-anchor="end" fill="#333">`)
	for i := 0; i <= c.ax.n; i++ {
		v := c.ax.lo + int64(i)*c.ax.step
		y := c.y(v)
		fmt.Fprintf(&grid, "M%d %sH%d", padL, f1(y), svgW-padR)
		fmt.Fprintf(c.b, `<text x="%d" y="%s">%s</text>`, padL-4, f1(y+4), esc(c.ax.label(v, c.lang)))
	}
	c.b.WriteString(`</g>`)
	fmt.Fprintf(c.b, `<path d="%s" stroke="#ddd" fill="none"/>`, grid.String())
	fmt.Fprintf(c.b, `<path d="M%d %sH%d" stroke="#333" fill="none"/>`, padL, f1(c.y(0)), svgW-padR)
}

// slot is the width each category gets.
func (c *chart) slot() float64 { return float64(svgW-padR-padL) / float64(len(c.p.X)) }

// drawBars draws each bar as a vertical line as wide as the bar: one path
// per series, a few bytes per bar.
func (c *chart) drawBars() {
	slot := c.slot()
	bw := slot * 0.8 / float64(len(c.p.Series))
	if c.p.Kind == Stacked {
		bw = math.Min(slot*0.7, 48)
	}
	stack := make([]int64, len(c.p.X))
	for j, s := range c.p.Series {
		var d strings.Builder
		for i := range c.p.X {
			if !s.has(i) || s.Values[i] == 0 {
				continue
			}
			from, to := int64(0), s.Values[i]
			x := float64(padL) + float64(i)*slot + slot*0.1 + (float64(j)+0.5)*bw
			if c.p.Kind == Stacked {
				if to < 0 {
					continue
				}
				from, to = stack[i], stack[i]+to
				stack[i] = to
				x = float64(padL) + (float64(i)+0.5)*slot
			}
			fmt.Fprintf(&d, "M%s %sV%s", f1(x), f1(c.y(from)), f1(c.y(to)))
		}
		if d.Len() > 0 {
			fmt.Fprintf(c.b, `<path d="%s" stroke="%s" stroke-width="%s"/>`, d.String(), color(j), f1(bw))
		}
	}
}

func (c *chart) drawLines() {
	slot := c.slot()
	for j, s := range c.p.Series {
		var d, dots strings.Builder
		for i := range c.p.X {
			if !s.has(i) {
				continue
			}
			x, y := float64(padL)+(float64(i)+0.5)*slot, c.y(s.Values[i])
			joined := i > 0 && s.has(i-1)
			if joined {
				fmt.Fprintf(&d, "L%s %s", f1(x), f1(y))
			} else {
				fmt.Fprintf(&d, "M%s %s", f1(x), f1(y))
			}
			if !joined && !s.has(i+1) {
				// A point with no neighbour draws no line: mark it.
				fmt.Fprintf(&dots, `<circle cx="%s" cy="%s" r="2.5"/>`, f1(x), f1(y))
			}
		}
		if d.Len() > 0 {
			fmt.Fprintf(c.b, `<path d="%s" stroke="%s" stroke-width="2" fill="none"/>`, d.String(), color(j))
		}
		if dots.Len() > 0 {
			fmt.Fprintf(c.b, `<g fill="%s">%s</g>`, color(j), dots.String())
		}
	}
}

// category is a category's label as drawn: one or two lines, or none
// when only every k-th category is labelled.
type category []string

// layoutCategories fits the category labels below their bars or points.
// A label wider than its room breaks at a space into two lines, or at a
// "\n" of its own, and a line still too wide is shortened, as long as that
// leaves a few characters; otherwise (a month of days) only every k-th
// category is labelled.
func (c *chart) layoutCategories() {
	slot := c.slot()
	widest := 0.0
	for _, l := range c.p.X {
		for _, line := range strings.Split(l.In(c.lang), "\n") {
			widest = math.Max(widest, textWidth(line))
		}
	}
	every, room := 1, slot-4
	if widest > room && room < 6*charW {
		every = int(math.Ceil((widest + 4) / slot))
		room = slot*float64(every) - 4
	}
	c.cats = make([]category, len(c.p.X))
	c.catLines = 1
	for i, l := range c.p.X {
		if i%every != 0 {
			continue
		}
		lines := strings.SplitN(l.In(c.lang), "\n", 2)
		if len(lines) == 1 && textWidth(lines[0]) > room {
			lines = breakLine(lines[0])
		}
		for j := range lines {
			lines[j] = shorten(lines[j], room)
		}
		c.cats[i] = lines
		c.catLines = max(c.catLines, len(lines))
	}
}

// breakLine splits s at the space nearest its middle, if it has one.
func breakLine(s string) []string {
	mid, at := utf8.RuneCountInString(s)/2, -1
	for i, r := range []rune(s) {
		if r == ' ' && (at < 0 || abs(int64(i-mid)) < abs(int64(at-mid))) {
			at = i
		}
	}
	if at < 0 {
		return []string{s}
	}
	r := []rune(s)
	return []string{string(r[:at]), string(r[at+1:])}
}

func (c *chart) drawCategories() {
	slot := c.slot()
	y := c.top + plotH + 14
	c.b.WriteString(`<g text-anchor="middle" fill="#333">`)
	for i, lines := range c.cats {
		x := float64(padL) + (float64(i)+0.5)*slot
		for j, line := range lines {
			fmt.Fprintf(c.b, `<text x="%s" y="%s">%s</text>`, f1(x), f1(y+float64(j*lineH)), esc(line))
		}
	}
	c.b.WriteString(`</g>`)
}

// describe says in a sentence what the chart shows, for a reader who
// cannot see it: its kind, categories, series and the highest value.
func (c *chart) describe() string {
	p := c.p
	var names []string
	for _, s := range p.Series {
		names = append(names, s.Name.In(c.lang))
	}
	if len(p.X) == 0 || len(p.Series) == 0 {
		return chartKinds[p.Kind].In(c.lang) + ": " + noData.In(c.lang) + "."
	}
	x := func(i int) string { return strings.ReplaceAll(p.X[i].In(c.lang), "\n", " ") }
	from, to := x(0), x(len(p.X)-1)
	format := "%s, %d points from %s to %s. Series: %s."
	if c.lang == SW {
		format = "%s, vipimo %d kutoka %s hadi %s. Mfululizo: %s."
	}
	s := fmt.Sprintf(format, chartKinds[p.Kind].In(c.lang), len(p.X), from, to, strings.Join(names, "; "))
	if v, j, i, ok := p.peak(); ok {
		where := x(i)
		if j >= 0 {
			where = names[j] + ", " + where
		}
		format = " Highest: %s (%s)."
		if c.lang == SW {
			format = " Juu kabisa: %s (%s)."
		}
		s += fmt.Sprintf(format, formatCell(num(v), p.Unit, c.lang), where)
	}
	return s
}

func color(i int) string { return palette[i%len(palette)] }

// f1 writes a coordinate with at most one decimal: enough for a chart,
// and the same text on every machine.
func f1(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // not -0
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func textWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) * charW }

// shorten cuts s to fit width, ending it with an ellipsis.
func shorten(s string, width float64) string {
	n := int(width / charW)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:max(n-1, 1)]) + "…"
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// safeID keeps an id to letters, digits and hyphens, so that it is safe in
// an attribute and as an IRI fragment.
func safeID(s string) string {
	out := []byte(s)
	for i, ch := range out {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-') {
			out[i] = '-'
		}
	}
	if len(out) == 0 {
		return "chart"
	}
	return string(out)
}
