// Package webpage holds what every set of Mteja's web pages shares: the
// templates parsed once as a layout around each page, styles and scripts
// inlined and named by their hashes in the Content-Security-Policy, and a
// page written whole or not at all.
package webpage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// Set is a set of pages, each the layout ("templates/layout.html") with
// the page's own blocks, by the page's file name without ".html".
type Set map[string]*template.Template

// Parse parses every templates/*.html in fsys. It panics on a template
// error: the templates are embedded, so an error is the program's, found
// by any test that loads the package.
func Parse(fsys fs.FS, funcs template.FuncMap) Set {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout.html"))
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := Set{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(fsys, n))
	}
	return out
}

// Write renders the page name with data and writes it with status. The
// page is built in memory first, so that a template error becomes an error
// for the caller to show, not half a page. Pages carry customers' records:
// they are kept in no cache, shared or the browser's.
func (s Set) Write(w http.ResponseWriter, status int, name, csp string, data any) error {
	tmpl, ok := s[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "layout.html", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// Read returns an embedded file's text; it panics when the file is
// missing, which only a build without it can cause.
func Read(fsys fs.FS, name string) string {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Hash names s as a Content-Security-Policy source ("sha256-…"), so that
// an inlined style or script runs and no other does.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Amount shows money with its currency, KES when none is stored. A
// no-break space keeps the currency and its number on one line.
func Amount(a money.Amount, currency string) string {
	if currency == "" {
		currency = "KES"
	}
	return currency + "\u00a0" + a.String()
}

// BrowserLanguage returns the first of English ("en") and Swahili ("sw")
// that the browser's Accept-Language names, in its order, or "" for
// neither.
func BrowserLanguage(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		for _, l := range []string{"sw", "en"} {
			if tag == l || strings.HasPrefix(tag, l+"-") {
				return l
			}
		}
	}
	return ""
}

// Translate returns key's phrase in lang from messages (a map of phrases
// per language), else the English one, else the key itself, which tests
// catch; args fill the phrase's verbs.
func Translate(messages map[string]map[string]string, lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = messages["en"][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
