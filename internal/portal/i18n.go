package portal

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/webpage"
)

// Languages the portal speaks.
const (
	langEN = "en"
	langSW = "sw"
)

// messages holds every phrase of the portal, per language. A test checks
// that both languages have the same keys and that every key a template or
// handler uses exists.
var messages = map[string]map[string]string{
	langEN: english,
	langSW: swahili,
}

// t translates key into lang, filling %s verbs from args. A missing key
// shows as itself, which the tests catch.
func t(lang, key string, args ...any) string {
	s, ok := messages[lang][key]
	if !ok {
		s, ok = english[key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// langCookie holds a language chosen on this browser; it outranks the one
// stored for the customer, as the latest explicit choice.
const langCookie = "mteja_lang"

// chooseLanguage picks the page language: the browser's explicit choice,
// then the customer's stored one (stored, when ""), then the browser's
// Accept-Language, then English.
func chooseLanguage(r *http.Request, stored string) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langEN || c.Value == langSW) {
		return c.Value
	}
	if stored == langEN || stored == langSW {
		return stored
	}
	if l := webpage.BrowserLanguage(r); l != "" {
		return l
	}
	return langEN
}

// wait says how long to wait, in words.
func wait(lang string, d time.Duration) string {
	if d < time.Minute {
		return t(lang, "time.seconds", int(max(d.Round(time.Second), time.Second)/time.Second))
	}
	return t(lang, "time.minutes", int((d+time.Minute-1)/time.Minute))
}
