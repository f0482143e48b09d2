package app

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/api"
	"github.com/mteja/mteja/internal/portal"
)

// Every pattern the usage counts name is a route the portal or the API
// registers, so that a renamed route cannot quietly stop being counted.
func TestUsageRoutesAreRegistered(t *testing.T) {
	mux := http.NewServeMux()
	(&portal.Handler{}).Routes(mux)
	(&api.Handler{}).Routes(mux)
	wildcard := regexp.MustCompile(`\{[a-z]+\}`)
	for pattern := range httpUses {
		method, path, _ := strings.Cut(pattern, " ")
		r := httptest.NewRequest(method, wildcard.ReplaceAllString(path, "x1"), nil)
		if _, got := mux.Handler(r); got != pattern {
			t.Errorf("usage counts %q, but %s %s is routed to %q", pattern, method, r.URL.Path, got)
		}
	}
}
