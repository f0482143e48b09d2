package hotspot

import (
	"fmt"
	"net/http"

	"github.com/mteja/mteja/internal/webpage"
)

const (
	langEN = "en"
	langSW = "sw"
)

var messages = map[string]map[string]string{langEN: english, langSW: swahili}

// t translates key into lang, filling %s verbs from args.
func t(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		if s, ok = english[key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// chooseLanguage picks the page's language: the one chosen on the page
// (lang in the query or form, once parsed), then the browser's, then
// English. Nothing is stored: a captive browser often keeps no cookies.
func chooseLanguage(r *http.Request) string {
	if l := r.Form.Get("lang"); l == langEN || l == langSW {
		return l
	}
	if l := webpage.BrowserLanguage(r); l != "" {
		return l
	}
	return langEN
}
