package hotspot

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/webpage"
)

//go:embed templates/*.html assets/hotspot.css
var files embed.FS

// The style is inlined: one request a page, on a network that is slow and
// not yet paid for.
var (
	css      = template.CSS(webpage.Read(files, "assets/hotspot.css"))
	cssHash  = webpage.Hash(string(css))
	pages    = webpage.Parse(files, template.FuncMap{"amount": webpage.Amount, "bytes": bytesOrNone, "hours": hours})
	basePart = "default-src 'none'; style-src " + cssHash + "; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

// page is what the layout shows around a page's own data.
type page struct {
	Lang  string
	Title string
	Name  string // the ISP's
	Query string // the router's variables; "" when there is no router
	Other string // the language to switch to
	// Links that keep the router's variables: this page in the other
	// language, this page, and the captive page.
	Switch, Here, Back template.URL
	Err                string
	Notice             string
	// Refresh, when positive, reloads the page after that many seconds
	// (the wait page), with no script.
	Refresh int
	Router  router
	Data    any
	CSS     template.CSS
	// postTo is the router's login URL when the page posts there: the
	// policy lets forms go to its origin too.
	postTo string
}

// T translates key into the page's language.
func (p page) T(key string, args ...any) string { return t(p.Lang, key, args...) }

func (h *Handler) page(v *visit, title string, data any) page {
	other := langSW
	if v.lang == langSW {
		other = langEN
	}
	p := page{Lang: v.lang, Title: t(v.lang, title), Name: h.Name, Other: other, Router: v.router, Data: data, CSS: css}
	if v.router.Login != "" {
		// The query is built by url.Values from checked fields: safe as a URL.
		p.Query = v.router.query()
		here := v.r.URL.Path
		if v.r.Method != http.MethodGet {
			here = "/hotspot/"
		}
		p.Switch = template.URL(here + "?" + p.Query + "&lang=" + other)
		p.Here = template.URL(here + "?" + p.Query + "&lang=" + v.lang)
		p.Back = template.URL("/hotspot/?" + p.Query + "&lang=" + v.lang)
	}
	return p
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p page) error {
	csp := basePart
	if p.postTo != "" {
		csp += " " + p.postTo
	}
	return pages.Write(w, status, name, csp, p)
}

// bytesOrNone shows a plan's data, or nothing for unlimited.
func bytesOrNone(n int64) string {
	if n <= 0 {
		return ""
	}
	return strings.ReplaceAll(isp.Bytes(n), ".00 ", " ")
}

// hours shows a bundle's duration the way it is sold: "24 h", "5 min".
func hours(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}
