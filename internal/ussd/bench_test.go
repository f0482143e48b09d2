package ussd

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkCallback measures one gateway request that replays a five-input
// path (the tokens screen, second page), the usual depth of a session.
func BenchmarkCallback(b *testing.B) {
	tb := setup(b, Options{})
	body := url.Values{"sessionId": {"bench"}, "phoneNumber": {"+" + phoneMany}, "text": {"9*2*1*98*0"}}.Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, ussdPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		tb.h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "3683-3915") {
			b.Fatalf("%d %q", rec.Code, rec.Body.String())
		}
	}
}
