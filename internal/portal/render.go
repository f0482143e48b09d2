package portal

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
	"github.com/mteja/mteja/internal/webpage"
)

//go:embed templates/*.html assets/site.css assets/copy.js
var files embed.FS

// The CSS and the script are inlined into every page: one request a page,
// which on a slow network costs less than a second round trip, and still
// far under the 30 KB a page may weigh. The Content-Security-Policy names
// their hashes, so no other script or style can run.
var (
	siteCSS = template.CSS(webpage.Read(files, "assets/site.css"))
	copyJS  = template.JS(webpage.Read(files, "assets/copy.js"))
	csp     = fmt.Sprintf("default-src 'none'; style-src %s; script-src %s; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		webpage.Hash(string(siteCSS)), webpage.Hash(string(copyJS)))
)

var funcs = template.FuncMap{
	"date":   showDate,
	"amount": webpage.Amount,
	"phone":  showPhone,
	"bytes":  isp.Bytes,
	"left":   timeLeft,
	"month":  showMonth,
	"seconds": func(d time.Duration) string {
		return fmt.Sprintf("%ds", max(1, int(d.Seconds()+0.5)))
	},
	"where": func(p page, o outage.Outage) struct {
		P page
		O outage.Outage
	} {
		return struct {
			P page
			O outage.Outage
		}{p, o}
	},
	"tokenKey": func(kind string) string {
		switch kind {
		case vend.KindKeyChange1:
			return "token.key1"
		case vend.KindKeyChange2:
			return "token.key2"
		}
		return "token.credit"
	},
}

var pages = webpage.Parse(files, funcs)

// page is what the layout shows around a page's own data.
type page struct {
	Lang     string
	Title    string
	Utility  string
	USSD     string
	LoggedIn bool
	Phone    string // the customer's number, as they write it
	Path     string // this page, for the language switch to come back to
	Nav      string // the menu entry to mark current
	Internet bool   // the internet pages are served: the menu shows them
	Charter  bool   // the public charter report is served: the footer links it
	Assisted string // who assists, on every page of a hub attendant's assisted session
	Err      string
	Notice   string
	Data     any
	CSS      template.CSS
	JS       template.JS
}

// T translates key into the page's language.
func (p page) T(key string, args ...any) string { return t(p.Lang, key, args...) }

// page starts a page titled by the message key title (with args).
func (v *visit) page(title string, data any, args ...any) page {
	p := page{Lang: v.lang, Title: t(v.lang, title, args...), Data: data, Path: v.r.URL.RequestURI(), CSS: siteCSS, JS: copyJS}
	if v.r.Method != http.MethodGet {
		p.Path = v.r.URL.Path
	}
	if v.session != nil {
		p.LoggedIn, p.Phone = true, showPhone(v.session.MSISDN)
	}
	if a := v.assist; a != nil {
		p.Assisted = t(v.lang, "assisted.banner", cmp.Or(a.Name, a.Username), a.Hub)
	}
	return p
}

// render writes a page whole, or an error and nothing.
func (h *Handler) render(w http.ResponseWriter, v *visit, status int, name string, p page) error {
	p.Utility, p.USSD, p.Internet, p.Charter = h.Utility, h.USSDCode, h.ISP != nil, h.Charter != nil
	return pages.Write(w, status, name, csp, p)
}

// showDate shows a time in the operator's zone, as customers read it.
func showDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tariff.Zone).Format("02/01/2006 15:04")
}

// showPhone writes a Kenyan number the way its owner does ("0708 374
// 149"), and others in international form.
func showPhone(msisdn string) string {
	if len(msisdn) == 12 && strings.HasPrefix(msisdn, "254") {
		n := "0" + msisdn[3:]
		return n[:4] + " " + n[4:7] + " " + n[7:]
	}
	return "+" + msisdn
}
