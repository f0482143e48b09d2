package ussd

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxScreen is the most characters a screen may have, counting the "CON " or
// "END " prefix: longer screens are cut or refused by some handsets.
const maxScreen = 182

const prefixLen = len("CON ")

// screen is one reply to the gateway.
type screen struct {
	text string
	end  bool // closes the session
}

func con(lines ...string) screen { return screen{text: strings.Join(lines, "\n")} }

func end(lines ...string) screen { return screen{text: strings.Join(lines, "\n"), end: true} }

// reply is the body sent to the gateway.
func (sc screen) reply() string {
	if sc.end {
		return "END " + sc.text
	}
	return "CON " + sc.text
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// clip shortens s to at most n characters, marking the cut. Used on text that
// comes from the backend (labels, outage notes), whose length we do not own.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if runes(s) <= n {
		return s
	}
	r := []rune(s)
	if n == 1 {
		return string(r[:1])
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// withHint puts a hint above a screen's lines.
func withHint(hint string, lines ...string) []string {
	if hint == "" {
		return lines
	}
	return append([]string{hint}, lines...)
}

// linesLen is the length of lines joined by newlines.
func linesLen(lines []string) int {
	n := 0
	for i, l := range lines {
		if i > 0 {
			n++
		}
		n += runes(l)
	}
	return n
}

// page lays a list out on one screen: head, then items from start, then foot,
// with more (the "98 More" line) before foot when items remain. The layout
// leaves room for a hint of reserve characters, so that a page shows the same
// items whether or not a hint is above it; otherwise "98" after a wrong input
// would skip items. It returns the lines and where the next page starts
// (len(items) on the last page). A page always shows at least one item.
func page(head, items []string, start int, more string, foot []string, reserve int) (lines []string, next int) {
	start = min(max(start, 0), len(items))
	budget := maxScreen - prefixLen - reserve
	fixed := func(extra []string) int {
		all := append(append(append([]string{}, head...), extra...), foot...)
		return linesLen(all)
	}
	rest := items[start:]
	if fixed(rest) <= budget {
		return append(append(append([]string{}, head...), rest...), foot...), len(items)
	}
	used := fixed([]string{more})
	n := 0
	for _, it := range rest {
		if n > 0 && used+1+runes(it) > budget {
			break
		}
		used += 1 + runes(it)
		n++
	}
	lines = append(append([]string{}, head...), rest[:n]...)
	lines = append(append(lines, more), foot...)
	return lines, start + n
}

// list is a screen of numbered or dated items that may take several pages:
// a heading, the items, "98 More" when items remain, and a footer.
type list struct {
	head  string
	items []string
	foot  []string
	hints []string // every hint the screen may show after a wrong input
}

// layout returns the page from start, and where the next page starts. A hint
// takes the heading's place: the caller has just read the heading, and a
// hint above it would cost an item on every page.
func (l list) layout(s *session, start int, hint string) ([]string, int) {
	longest := 0
	for _, h := range l.hints {
		longest = max(longest, runes(h))
	}
	head := l.head
	if hint != "" {
		head = hint
	}
	return page([]string{head}, l.items, start, s.t.More, l.foot, max(longest-runes(l.head), 0))
}

// nextPage returns where the page after the one from start begins, and
// whether any items remain for it: what "98 More" leads to.
func (l list) nextPage(s *session, start int) (int, bool) {
	_, nx := l.layout(s, start, "")
	return nx, nx < len(l.items)
}

// choose reads an input on the list shown from start: "98" turns the page
// (item -1, next where the new page starts), a number names an item
// (0-based). ok is false for anything else, or "98" on the last page.
// Lists that also take a typed entry treat what is no choice's shape
// (isChoice) as that entry.
func (l list) choose(s *session, start int, in string) (next, item int, ok bool) {
	if in == "98" {
		nx, more := l.nextPage(s, start)
		return nx, -1, more
	}
	if !isChoice(in) {
		return start, 0, false
	}
	i, _ := strconv.Atoi(in)
	if i < 1 || i > len(l.items) {
		return start, 0, false
	}
	return start, i - 1, true
}

// isChoice reports whether in has the shape of a menu choice: one or two
// digits (lists stop below 98, "More"). Anything longer is an entry, such
// as a meter number or a username.
func isChoice(in string) bool { return allDigits(in) && len(in) <= 2 }
