package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

//go:embed templates/*.html assets/site.css assets/copy.js
var files embed.FS

// The CSS and the script are inlined into every page: one request a page,
// which on a slow network costs less than a second round trip, and still
// far under the 30 KB a page may weigh. The Content-Security-Policy names
// their hashes, so no other script or style can run.
var (
	siteCSS = template.CSS(mustRead("assets/site.css"))
	copyJS  = template.JS(mustRead("assets/copy.js"))
	csp     = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		hash(string(siteCSS)), hash(string(copyJS)))
)

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

var funcs = template.FuncMap{
	"date":   showDate,
	"amount": showAmount,
	"phone":  showPhone,
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

// pages maps each page's name to its template: the layout with the page's
// "main" block.
var pages = func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html"))
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(files, n))
	}
	return out
}()

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
	return p
}

// render writes a page whole: it is built in memory first, so that a
// template error becomes an error page, not half a page.
func (h *Handler) render(w http.ResponseWriter, v *visit, status int, name string, p page) error {
	tmpl, ok := pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	p.Utility, p.USSD = h.Utility, h.USSDCode
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "layout.html", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	// Pages show tokens and phone numbers: never keep them in a shared
	// cache, nor in the browser's after logout.
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// showDate shows a time in the operator's zone, as customers read it.
func showDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tariff.Zone).Format("02/01/2006 15:04")
}

// showAmount shows money with its currency, KES when none is stored.
func showAmount(a money.Amount, currency string) string {
	if currency == "" {
		currency = "KES"
	}
	// A no-break space keeps "KES" and its number on one line.
	return currency + "\u00a0" + a.String()
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
