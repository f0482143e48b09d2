package console

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/webpage"
)

//go:embed templates/*.html assets/console.css
var files embed.FS

// The stylesheet is inlined into every page (one request a page) and named
// by its hash in the Content-Security-Policy: no script runs at all, and
// images come only inline (the QR code at set-up, charts are inline SVG).
var (
	consoleCSS = template.CSS(webpage.Read(files, "assets/console.css"))
	csp        = fmt.Sprintf("default-src 'none'; style-src %s; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", webpage.Hash(string(consoleCSS)))
)

var funcs = template.FuncMap{
	"date":   showDate,
	"amount": webpage.Amount,
	"list":   func(s ...string) []string { return s },
	"span":   showSpan,
	"bytes":  showBytes,
	"wait":   showWait,
	"outageWhere": func(p page, o any) struct {
		P page
		O any
	} {
		return struct {
			P page
			O any
		}{p, o}
	},
}

var pages = webpage.Parse(files, funcs)

// menuItem is one entry of the menu.
type menuItem struct{ Key, Path string }

// page is what the layout shows around a page's own data.
type page struct {
	Lang    string
	Title   string
	Utility string
	User    *staff.User
	Menu    []menuItem
	Path    string
	Nav     string
	Err     string
	Notice  string
	Data    any
	CSS     template.CSS
	mask    bool
}

// T translates key into the page's language.
func (p page) T(key string, args ...any) string { return t(p.Lang, key, args...) }

// Phone shows a phone number; masked ("2547****149") for the roles that do
// not need it.
func (p page) Phone(msisdn string) string {
	if p.mask {
		return phone.Mask(msisdn)
	}
	return msisdn
}

// Name shows a customer's name; initials only for the roles that do not
// need it.
func (p page) Name(name string) string {
	if p.mask {
		return customer.MaskName(name)
	}
	return name
}

// Masks reports whether role sees phone numbers and names masked: an
// auditor checks what was done, not who the customers are.
func Masks(role string) bool { return role == staff.RoleAuditor || role == staff.RoleSupervisor }

// page starts a page titled by the message key title (with args).
func (h *Handler) page(v *visit, title string, data any, args ...any) page {
	p := page{Lang: v.lang, Title: t(v.lang, title, args...), Utility: h.Utility, Data: data, Path: v.r.URL.RequestURI(), CSS: consoleCSS}
	if v.r.Method != http.MethodGet {
		p.Path = v.r.URL.Path
	}
	if v.session != nil {
		u := v.user()
		p.User, p.mask, p.Nav = &u, Masks(u.Role), v.route.Menu
		seen := map[string]bool{}
		for _, r := range h.routes() {
			if strings.HasPrefix(r.Pattern, "/staff/internet") && h.Services.ISP == nil {
				continue // no ISP here
			}
			if r.Menu != "" && r.Method == "GET" && !seen[r.Menu] && Allows(r.Roles, u.Role) {
				seen[r.Menu] = true
				p.Menu = append(p.Menu, menuItem{Key: r.Menu, Path: strings.TrimSuffix(r.Pattern, "{$}")})
			}
		}
	}
	return p
}

// render writes a page whole, or an error and nothing.
func (h *Handler) render(w http.ResponseWriter, v *visit, status int, name string, p page) error {
	return pages.Write(w, status, name, csp, p)
}

// showDate shows a time in the operator's zone.
func showDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tariff.Zone).Format("2006-01-02 15:04:05")
}
