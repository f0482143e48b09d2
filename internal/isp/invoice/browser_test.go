package invoice_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/isp/invoice"
)

var mediaBox = regexp.MustCompile(`/MediaBox \[0 0 (\d+)(?:\.\d+)? (\d+)(?:\.\d+)?\]`)

// In Chromium the page breaks none of its policy, writes no error, fits a
// phone's width, and prints (its own @page rule, no scaling) on exactly
// one A4 page, in English and in Swahili.
func TestPrintsOnA4(t *testing.T) {
	ctx := browsertest.Start(t)
	docs := map[string]invoice.Document{}
	for _, lang := range []string{"en", "sw"} {
		d := sample(t, true)
		d.Lang, d.Credited = lang, 50000 // every line the page can have
		docs["/"+lang] = d
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if err := invoice.Serve(w, d, invoice.AsHTML); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()
	for path := range docs {
		tb := browsertest.NewTab(t, ctx, srv.URL, browsertest.Screen{Width: 360, Height: 740, Mobile: true}, 30*1024)
		tb.DataURIs = true
		p := tb.Open("invoice "+path, path)
		if !strings.Contains(p.Text, "INV-2025-000002") {
			t.Fatalf("%s: the page shows:\n%s", path, p.Text)
		}
		if console, csp := tb.Problems(); len(console) > 0 || len(csp) > 0 {
			t.Errorf("%s: console %q, policy broken %q", path, console, csp)
		}
		if w := tb.Eval(`String(document.documentElement.scrollWidth)`); w != "360" {
			t.Errorf("%s: %s px wide on a 360 px phone", path, w)
		}
		prefer := true
		res, err := chromedp.Call(tb.Ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
		if err != nil {
			t.Fatal(err)
		}
		pdf := string(res.Data)
		boxes := mediaBox.FindAllStringSubmatch(pdf, -1)
		if len(boxes) != 1 || boxes[0][1] != "594" && boxes[0][1] != "595" || boxes[0][2] != "841" && boxes[0][2] != "842" {
			t.Errorf("%s printed on %d pages of %v; want one A4 page (595 × 842 pt)", path, len(boxes), boxes)
		}
	}
}
