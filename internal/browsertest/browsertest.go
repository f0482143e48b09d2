// Package browsertest drives the app's web pages in Debian's headless
// Chromium, for the portal's and the staff console's browser tests: a tab
// at a given width that counts what each page costs on the wire, which
// requests it made, what it wrote to the console and which of its
// Content-Security-Policy it broke, and what the page shows of itself.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/audits"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// DefaultChromium is Debian's chromium; MTEJA_CHROMIUM names another.
const DefaultChromium = "/usr/bin/chromium"

// Start starts a headless Chromium for the test, with a fresh profile, or
// skips the test, loudly, when there is none.
func Start(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("MTEJA_CHROMIUM")
	if path == "" {
		path = DefaultChromium
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("browser tests SKIPPED: no Chromium at %s (Debian: apt-get install chromium; scripts/test installs it)", path)
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Screen is the window a tab shows pages in.
type Screen struct {
	Width, Height int
	Mobile        bool // a phone: mobile viewport, touch
}

// Tab is one browser tab on the app, in a browser context of its own: its
// own cookies, as another person's browser.
type Tab struct {
	T        *testing.T // where failures go; a subtest sets its own
	Ctx      context.Context
	Base     string // the app's URL: every request must stay under it
	Screen   Screen
	MaxBytes int // the most a page may transfer, headers included
	// DataURIs lets pages show data: URIs (an image inline), which no
	// request leaves the browser for; otherwise they count as outside.
	DataURIs bool

	mu      sync.Mutex
	bytes   float64
	urls    []string
	console []string // errors written to the console since the last page
	csp     []string // Content-Security-Policy violations since the last page
}

// NewTab opens a tab at screen s on the app at base.
func NewTab(t *testing.T, parent context.Context, base string, s Screen, maxBytes int) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &Tab{T: t, Ctx: ctx, Base: base, Screen: s, MaxBytes: maxBytes}
	var opts []chromedp.EmulateViewportOption
	if s.Mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(s.Width), int64(s.Height), opts...)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tb.urls = append(tb.urls, e.Request.URL)
		case *network.EventLoadingFinished:
			tb.bytes += e.EncodedDataLength
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				tb.console = append(tb.console, string(e.Entry.Source)+": "+e.Entry.Text)
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				tb.console = append(tb.console, "console.error: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			tb.console = append(tb.console, "exception: "+e.ExceptionDetails.Text)
		case *audits.EventIssueAdded:
			if d := e.Issue.Details.ContentSecurityPolicyIssueDetails; d != nil {
				tb.csp = append(tb.csp, fmt.Sprintf("%s %s %s", d.ContentSecurityPolicyViolationType, d.ViolatedDirective, d.BlockedURL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// The issues domain reports each violation of the page's policy.
	if _, err := chromedp.Call(ctx, audits.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return tb
}

// Page is what a page shows of itself, and what it cost.
type Page struct {
	Path      string   `json:"path"`
	Lang      string   `json:"lang"`
	H1        string   `json:"h1"`
	Text      string   `json:"text"`
	Width     int      `json:"width"`
	Scroll    int      `json:"scroll"`
	Unlabeled []string `json:"unlabeled"`
	// Skip is where the first link leads when it is a link within the
	// page to an element that exists ("#main"), else "".
	Skip string `json:"skip"`

	Bytes    float64           // transferred for this page, headers included
	Response *network.Response // of the HTML document
	Console  []string          // errors written to the console
	CSP      []string          // violations of the page's Content-Security-Policy
}

const pageJS = `(() => {
	const d = document.documentElement;
	const first = document.querySelector('a[href]');
	const skip = first && first.hash && first.getAttribute('href') === first.hash &&
		document.getElementById(first.hash.slice(1)) ? first.hash : '';
	return {
		path: location.pathname + location.search,
		lang: d.lang,
		h1: (document.querySelector('h1') || {}).textContent || '',
		text: document.body.innerText,
		width: d.clientWidth,
		scroll: d.scrollWidth,
		unlabeled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
			.filter(e => !e.labels || e.labels.length === 0).map(e => e.name),
		skip: skip,
	};
})()`

// Load runs steps that end in a page load (a navigation, a click, a form
// sent) and checks the page that loads: its weight on the wire, every
// request on this site, no sideways scrolling at the tab's width, every
// control labelled. The page's console errors and policy violations are in
// its Page for the caller to judge.
func (tb *Tab) Load(name string, steps ...chromedp.Action[chromedp.Void]) Page {
	tb.T.Helper()
	tb.mu.Lock()
	tb.bytes, tb.urls = 0, nil
	tb.mu.Unlock()
	ctx, cancel := context.WithTimeout(tb.Ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.T.Fatalf("%s: %v", name, err)
	}
	p, err := chromedp.Run(ctx, chromedp.Evaluate[Page](pageJS))
	if err != nil {
		tb.T.Fatalf("%s: %v", name, err)
	}
	p.Response = resp
	p.Console, p.CSP = tb.Problems()
	tb.mu.Lock()
	p.Bytes = tb.bytes
	urls := tb.urls
	tb.mu.Unlock()
	if p.Bytes > float64(tb.MaxBytes) {
		tb.T.Errorf("%s (%s): %.0f bytes transferred; at most %d", name, p.Path, p.Bytes, tb.MaxBytes)
	}
	if p.Bytes == 0 {
		tb.T.Errorf("%s (%s): no transfer counted: is the network listener broken?", name, p.Path)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, tb.Base+"/") && !(tb.DataURIs && strings.HasPrefix(u, "data:")) {
			tb.T.Errorf("%s: requested %s, outside the app", name, u)
		}
	}
	// A desk's window loses a scrollbar's width to a long page; a phone's
	// scrollbars take none.
	gutter := 0
	if !tb.Screen.Mobile {
		gutter = 20
	}
	if w := tb.Screen.Width; p.Width > w || p.Width < w-gutter || p.Scroll > p.Width {
		tb.T.Errorf("%s (%s): %d px of content in a %d px window; want %d with no sideways scroll", name, p.Path, p.Scroll, p.Width, w)
	}
	if len(p.Unlabeled) > 0 {
		tb.T.Errorf("%s (%s): controls without a label: %v", name, p.Path, p.Unlabeled)
	}
	tb.T.Logf("%-22s %-36s %5.0f bytes", name, p.Path, p.Bytes)
	return p
}

// Problems returns the console errors and the policy violations reported
// since the last call (or the last page loaded), and forgets them.
func (tb *Tab) Problems() (console, csp []string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	console, csp = tb.console, tb.csp
	tb.console, tb.csp = nil, nil
	return console, csp
}

// CheckSkipLink checks, on the page open, that the first Tab focuses a
// link to #main with a visible outline, and that Enter on it goes there.
func (tb *Tab) CheckSkipLink() {
	tb.T.Helper()
	tb.Do(chromedp.KeyEvent(kb.Tab))
	if got := tb.Eval(`document.activeElement.getAttribute('href') + ' ' + getComputedStyle(document.activeElement).outlineStyle`); got != "#main solid" {
		tb.T.Errorf("first Tab focuses %q; want the skip link, with a visible outline", got)
	}
	tb.Do(chromedp.KeyEvent(kb.Enter))
	if got := tb.Eval(`location.hash`); got != "#main" {
		tb.T.Errorf("Enter on the skip link: at %q; want #main", got)
	}
}

// Open loads the app's page at path.
func (tb *Tab) Open(name, path string) Page {
	tb.T.Helper()
	return tb.Load(name, chromedp.Navigate(tb.Base+path))
}

// Eval evaluates js, a string expression, in the page.
func (tb *Tab) Eval(js string) string {
	tb.T.Helper()
	s, err := chromedp.Run(tb.Ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.T.Fatalf("%s: %v", js, err)
	}
	return s
}

// Do runs steps that load no page (keys, clicks within the page).
func (tb *Tab) Do(steps ...chromedp.Action[chromedp.Void]) {
	tb.T.Helper()
	ctx, cancel := context.WithTimeout(tb.Ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.T.Fatal(err)
	}
}

// ReloadUntil reloads the page open, as a customer refreshing it, until
// its text contains want, and returns that page; the test fails when it
// does not within the time given, which guards a hung run and is no timing
// assertion.
func (tb *Tab) ReloadUntil(name, want string, within time.Duration) Page {
	tb.T.Helper()
	deadline := time.Now().Add(within)
	for {
		p := tb.Load(name, chromedp.Reload())
		if strings.Contains(p.Text, want) {
			return p
		}
		if time.Now().After(deadline) {
			tb.T.Fatalf("%s: no %q after %s:\n%s", name, want, within, p.Text)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
