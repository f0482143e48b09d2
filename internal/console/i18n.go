package console

import (
	"fmt"
	"net/http"
	"strings"
)

// Languages the console speaks.
const (
	langEN = "en"
	langSW = "sw"
)

// messages holds every phrase of the console, per language; a test checks
// that both languages have the same keys.
var messages = map[string]map[string]string{langEN: english, langSW: swahili}

// join merges phrase maps; a key given twice is a mistake the tests catch.
func join(parts ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, p := range parts {
		for k, v := range p {
			if _, dup := out[k]; dup {
				panic("console: phrase " + k + " given twice")
			}
			out[k] = v
		}
	}
	return out
}

// t translates key into lang, filling verbs from args. A missing key shows
// as itself, which the tests catch.
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

const langCookie = "mteja_staff_lang"

// chooseLanguage picks the page language: the one chosen on this browser,
// then the browser's Accept-Language, then English.
func chooseLanguage(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langEN || c.Value == langSW) {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if tag == "sw" || strings.HasPrefix(tag, "sw-") {
			return langSW
		}
		if tag == "en" || strings.HasPrefix(tag, "en-") {
			return langEN
		}
	}
	return langEN
}

// language switches the console's language on this browser and goes back.
func (h *Handler) language(w http.ResponseWriter, v *visit) error {
	lang, err := formValue(v, "lang")
	if err != nil {
		return err
	}
	if lang != langEN && lang != langSW {
		lang = langEN
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/staff/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
	return redirect(w, v, languageBack(v.r.PostFormValue("back")))
}

// languageBack is the page the language switch returns to: the one it was
// on, the set-up and sign-in pages too, which safeNext refuses as places to
// go after signing in (someone new to the console must not lose their
// set-up link by reading it in Swahili); anything else, the console home.
func languageBack(back string) string {
	if (strings.HasPrefix(back, "/staff/setup/") || strings.HasPrefix(back, "/staff/signin")) && !strings.ContainsAny(back, "\\\r\n\t") {
		return back
	}
	return safeNext(back)
}
