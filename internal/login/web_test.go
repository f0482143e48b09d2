package login_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/login"
)

func TestCookies(t *testing.T) {
	for _, secure := range []bool{false, true} {
		c := login.Cookies{Secure: secure}
		w := httptest.NewRecorder()
		c.Set(w, "mts_abc", time.Now().Add(time.Hour))
		got := w.Header().Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "mts_abc"} {
			if !strings.Contains(got, want) {
				t.Errorf("secure=%v: Set-Cookie %q lacks %q", secure, got, want)
			}
		}
		if secure != strings.Contains(got, "Secure") || secure != strings.HasPrefix(got, "__Host-") {
			t.Errorf("secure=%v: Set-Cookie %q", secure, got)
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", strings.SplitN(got, ";", 2)[0])
		if tok := c.Token(r); tok != "mts_abc" {
			t.Errorf("secure=%v: Token = %q", secure, tok)
		}
		w = httptest.NewRecorder()
		c.Clear(w)
		if got := w.Header().Get("Set-Cookie"); !strings.Contains(got, "Max-Age=0") {
			t.Errorf("Clear: Set-Cookie %q; want Max-Age=0", got)
		}
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct{ header, want string }{
		{"Bearer mts_x", "mts_x"},
		{"bearer  mts_x ", "mts_x"},
		{"Basic abc", ""},
		{"Bearer", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.header)
		if got := login.BearerToken(r); got != tt.want {
			t.Errorf("BearerToken(%q) = %q; want %q", tt.header, got, tt.want)
		}
	}
}

func TestClientAddress(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"10.1.2.3:5555", "10.1.2.3"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"[::ffff:10.1.2.3]:80", "10.1.2.3"},
		{"garbage", "unknown"}, // never on a real connection: one bucket for all such
	}
	for _, tt := range tests {
		r := &http.Request{RemoteAddr: tt.remote, Header: http.Header{"X-Forwarded-For": {"1.1.1.1"}}}
		if got := login.ClientAddress(r); got != tt.want {
			t.Errorf("ClientAddress(%q) = %q; want %q", tt.remote, got, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := login.NewLimiter(0.5, 3) // 3 at once, then one every 2 s
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 2*time.Second {
		t.Fatalf("fourth request = %v, wait %s; want refused, 2s", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key was refused")
	}
	now = now.Add(2 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refused after the refill time")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("allowed twice after one refill")
	}
	// A long pause refills only up to the burst.
	now = now.Add(time.Hour)
	n := 0
	for {
		if ok, _ := l.Allow("a"); !ok {
			break
		}
		n++
	}
	if n != 3 {
		t.Fatalf("after an hour, %d requests allowed at once; want 3", n)
	}
}
