package proxytest_test

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app/proxytest"
)

// echo is an upstream that answers with what reached it.
func echo(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"remote": r.RemoteAddr, "xff": strings.Join(r.Header.Values("X-Forwarded-For"), "|"),
			"proto": strings.Join(r.Header.Values("X-Forwarded-Proto"), "|"), "host": r.Host, "uri": r.RequestURI,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The recommended configuration tells the app who the client is and that
// it came over https, whatever the client wrote in those headers itself,
// and connects from 127.0.0.1.
func TestProxyHeaders(t *testing.T) {
	p := proxytest.New(t)
	p.Start(strings.TrimPrefix(echo(t).URL, "http://"))

	req, _ := http.NewRequest(http.MethodGet, p.URL+"/login?next=%2Fmeters", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	req.Header.Set("X-Forwarded-Proto", "http")
	resp, err := p.Client("127.0.0.7").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(got["remote"])
	want := map[string]string{"xff": "203.0.113.7, 127.0.0.7", "proto": "https",
		"host": strings.TrimPrefix(p.URL, "https://"), "uri": "/login?next=%2Fmeters"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s reached the app as %q, want %q", k, got[k], v)
		}
	}
	if host != "127.0.0.1" {
		t.Errorf("the proxy connected from %s, want 127.0.0.1", host)
	}
}

// The access log holds no callback secret, however the request spells the
// path, and says which gateway was called.
func TestProxyAccessLogRedacts(t *testing.T) {
	const secret = "s3cr3t-0123456789abcdef"
	p := proxytest.New(t)
	p.Start(strings.TrimPrefix(echo(t).URL, "http://"))
	https := strings.TrimPrefix(p.URL, "https://")
	cases := []struct{ target, logged string }{
		{"/daraja/" + secret + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"/daraja/" + secret + "/stk/callback?x=1", "/daraja/***/stk/callback"},
		{"/ussd/" + secret, "/ussd/***"},
		{"/ussd/" + secret + "/events", "/ussd/***/events"},
		{"/ussd?secret=" + secret, "/ussd"},
		{"/ussd/?secret=" + secret, "/ussd"},
		{"/sms/" + secret + "/inbound", "/sms/***/inbound"},
		{"/sms/" + secret + "/delivery", "/sms/***/delivery"},
		// Spellings that reach the app's /daraja/{secret}/ route all the same.
		{"/%64araja/" + secret + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"/daraja/%73" + secret[1:] + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"//daraja/" + secret + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"/./daraja/" + secret + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		{"https://" + https + "/daraja/" + secret + "/c2b/confirmation", "/daraja/***/c2b/confirmation"},
		// Everything else is logged as sent.
		{"/login?next=%2Fmeters", "/login?next=%2Fmeters"},
		{"/sim/daraja/mpesa/c2b/v1/simulate", "/sim/daraja/mpesa/c2b/v1/simulate"},
		{"/smsx/" + secret[:4], "/smsx/" + secret[:4]},
	}
	var want []string
	for _, c := range cases {
		if status := raw(t, p, "tls", https, c.target); status != http.StatusOK {
			t.Errorf("GET %s: %d, want 200 from the app", c.target, status)
		}
		want = append(want, "GET "+c.target+" -> "+c.logged)
	}
	// The http server logs the same way before it redirects.
	target := "/daraja/" + secret + "/c2b/confirmation"
	if status := raw(t, p, "tcp", strings.TrimPrefix(p.HTTPURL, "http://"), target); status != http.StatusMovedPermanently {
		t.Errorf("GET %s over http: %d, want 301", target, status)
	}
	want = append(want, "GET "+target+" -> /daraja/***/c2b/confirmation")

	p.Stop()
	log := p.Log()
	if strings.Contains(log, secret) || strings.Contains(log, secret[1:]) {
		t.Errorf("the access log holds the secret:\n%s", log)
	}
	// Each request has its line, in order.
	line := regexp.MustCompile(`^127\.0\.0\.1 \[[^]]+\] "GET (\S*) HTTP/1\.1" \d+ \d+$`)
	var logged []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("log line %q is not in the recommended format", l)
		}
		logged = append(logged, m[1])
	}
	if len(logged) != len(want) {
		t.Fatalf("%d requests logged, want %d:\n%s", len(logged), len(want), log)
	}
	for i, w := range want {
		if !strings.HasSuffix(w, " -> "+logged[i]) {
			t.Errorf("%s, logged as %s", w, logged[i])
		}
	}
}

// raw sends "GET target" exactly as written (net/http would clean some of
// these targets) over network "tls" or "tcp", and returns the status.
func raw(t *testing.T, p *proxytest.Proxy, network, addr, target string) int {
	t.Helper()
	var c net.Conn
	var err error
	if network == "tls" {
		c, err = tls.Dial("tcp", addr, &tls.Config{RootCAs: p.Roots()})
	} else {
		c, err = net.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
