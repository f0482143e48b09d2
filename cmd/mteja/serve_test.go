package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
)

// syncBuffer is a buffer a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is a `mteja serve` running in the test.
type served struct {
	out, err *syncBuffer
	url      string
	stop     func() int // stops it and returns its exit status
}

var callbackRE = regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/daraja/[^/\s]+/c2b/confirmation`)

// serve runs `mteja serve args` until it has printed its callback URLs.
func serve(t *testing.T, args ...string) served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := served{out: &syncBuffer{}, err: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), s.out, s.err) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := callbackRE.FindStringSubmatch(s.out.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("mteja serve exited %d at start\nstdout:\n%s\nstderr:\n%s", code, s.out, s.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("mteja serve not ready\nstdout:\n%s\nstderr:\n%s", s.out, s.err)
		}
	}
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// serveEnv sets what every served test needs: a vending key and the
// Daraja allow-list (this machine).
func serveEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("MTEJA_VENDING_KEY", app.DemoVendingKey)
	t.Setenv("MTEJA_DARAJA_ALLOW", "127.0.0.0/8")
}

// serve refuses to start without a Daraja allow-list, and says what to
// set, naming Safaricom's published callback addresses; "any" must be said
// in so many words.
func TestServeRefusesOpenCallbacks(t *testing.T) {
	clearEnv(t)
	t.Setenv("MTEJA_VENDING_KEY", app.DemoVendingKey)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "MTEJA_DARAJA_ALLOW") || !strings.Contains(errOut.String(), "196.201.214.200") {
		t.Errorf("serve without an allow-list: exit %d\n%s", code, &errOut)
	}
	t.Setenv("MTEJA_DARAJA_ALLOW", "any")
	s := serve(t, "-data", t.TempDir())
	if code := s.stop(); code != 0 {
		t.Errorf("serve with -daraja-allow any: exit %d\n%s", code, s.err)
	}
}

// Callback URLs carry the secrets: serve prints them in full on stdout the
// first time, hidden after that, and never in its log; `mteja callbacks`
// prints them on demand. A 9-character SQLite path (which once made serve
// panic) is fine.
func TestServeCallbackURLs(t *testing.T) {
	serveEnv(t)
	dir := t.TempDir()
	t.Chdir(dir)
	first := serve(t, "-data", "data", "-db", "data/m.db")
	secrets := map[string]string{}
	for _, g := range app.Gateways {
		b, err := os.ReadFile(filepath.Join(dir, "data", g.Name+"-secret"))
		if err != nil {
			t.Fatal(err)
		}
		secrets[g.Name] = strings.TrimSpace(string(b))
		if !strings.Contains(first.out.String(), secrets[g.Name]) {
			t.Errorf("the first start does not show the %s secret:\n%s", g.Name, first.out)
		}
		if fi, _ := os.Stat(filepath.Join(dir, "data", g.Name+"-secret")); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s secret file mode %v, want 0600", g.Name, fi.Mode().Perm())
		}
	}
	if secrets["daraja"] == secrets["ussd"] || secrets["ussd"] == secrets["sms"] || secrets["daraja"] == secrets["sms"] {
		t.Errorf("gateways share a secret: %v", secrets)
	}
	if code := first.stop(); code != 0 {
		t.Fatalf("exit %d\n%s", code, first.err)
	}

	again := serve(t, "-data", "data", "-db", "data/m.db")
	again.stop()
	for name, s := range secrets {
		for what, text := range map[string]string{"the second start's stdout": again.out.String(), "the log": first.err.String() + again.err.String()} {
			if strings.Contains(text, s) {
				t.Errorf("%s shows the %s secret:\n%s", what, name, text)
			}
		}
	}
	if !strings.Contains(again.out.String(), "/daraja/<secret>/c2b/confirmation") {
		t.Errorf("the second start does not list the URLs with the secret hidden:\n%s", again.out)
	}

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"callbacks", "-data", "data", "-db", "data/m.db"}, &out, &errOut); code != 0 {
		t.Fatalf("mteja callbacks: exit %d\n%s", code, &errOut)
	}
	for name, s := range secrets {
		if !strings.Contains(out.String(), s) {
			t.Errorf("mteja callbacks does not show the %s secret:\n%s", name, &out)
		}
	}
	if code := run(context.Background(), []string{"callbacks", "-forget", "bogus", "-data", "data", "-db", "data/m.db"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("callbacks -forget bogus: exit %d, want 2", code)
	}
}

// Nodes of one database must share each gateway's secret: a node holding
// another refuses to start and says how to mend it; after 'mteja callbacks
// -forget', a new secret is taken on purpose.
func TestServeSecretsAgreeAcrossNodes(t *testing.T) {
	serveEnv(t)
	db := filepath.Join(t.TempDir(), "shared.db")
	first := t.TempDir()
	serve(t, "-data", first, "-db", db).stop()

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-db", db}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "MTEJA_DARAJA_SECRET") || !strings.Contains(errOut.String(), "mteja callbacks -forget daraja") {
		t.Errorf("a second node with other secrets: exit %d\n%s", code, &errOut)
	}
	for _, g := range app.Gateways {
		if code := run(context.Background(), []string{"callbacks", "-forget", g.Name, "-db", db, "-data", t.TempDir()}, io.Discard, io.Discard); code != 0 {
			t.Fatalf("callbacks -forget %s: exit %d", g.Name, code)
		}
	}
	// The seal key cannot be forgotten (the staff's TOTP seeds are sealed
	// with it): a new node refuses to start until it has the first one's.
	second := t.TempDir()
	errOut.Reset()
	if code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", second, "-db", db}, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "MTEJA_SEAL_KEY") {
		t.Errorf("a node with another seal key: exit %d\n%s", code, &errOut)
	}
	key, err := os.ReadFile(filepath.Join(first, "seal-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MTEJA_SEAL_KEY", strings.TrimSpace(string(key)))
	serve(t, "-data", second, "-db", db).stop()
}

// /metrics is not public: on the main address only with the metrics token,
// and on its own address (a private network) when one is set.
func TestServeMetrics(t *testing.T) {
	serveEnv(t)
	get := func(url, token string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	s := serve(t, "-data", t.TempDir())
	if code := get(s.url+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics without any metrics setting: %d, want 404", code)
	}
	s.stop()

	const token = "metrics-token-0123456789abcdef"
	t.Setenv("MTEJA_METRICS_TOKEN", token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	s = serve(t, "-data", t.TempDir(), "-metrics-addr", metricsAddr)
	for _, tc := range []struct {
		url, token string
		want       int
	}{
		{s.url + "/metrics", "", http.StatusNotFound},
		{s.url + "/metrics", "wrong-token-0123456789abcdef", http.StatusNotFound},
		{s.url + "/metrics", token, http.StatusOK},
		{"http://" + metricsAddr + "/metrics", "", http.StatusOK},
		{"http://" + metricsAddr + "/healthz", "", http.StatusNotFound},
	} {
		if code := get(tc.url, tc.token); code != tc.want {
			t.Errorf("GET %s (token %q): %d, want %d", tc.url, tc.token, code, tc.want)
		}
	}
}

// A vending key file others can read is warned about at start.
func TestServeWarnsReadableKeyFile(t *testing.T) {
	serveEnv(t)
	t.Setenv("MTEJA_VENDING_KEY", "")
	key := filepath.Join(t.TempDir(), "vending.key")
	if err := os.WriteFile(key, []byte(app.DemoVendingKey+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MTEJA_VENDING_KEY_FILE", key)
	s := serve(t, "-data", t.TempDir())
	s.stop()
	if !strings.Contains(s.err.String(), "chmod 600") {
		t.Errorf("no warning about a key file of mode 0644:\n%s", s.err)
	}
	if strings.Contains(s.err.String(), app.DemoVendingKey) {
		t.Errorf("the log shows the vending key")
	}
}

// The demo's simulators make payments for whoever asks: it listens on this
// machine only.
func TestDemoRefusesPublicAddress(t *testing.T) {
	clearEnv(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"demo", "--once", "--addr", addr}, io.Discard, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "this machine only") {
			t.Errorf("demo --addr %s: exit %d\n%s", addr, code, &errOut)
		}
	}
	// Its RADIUS server too: the demo router's secret is printed.
	for _, flag := range []string{"-radius-auth-addr", "-radius-acct-addr"} {
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"demo", "--once", "--addr", "127.0.0.1:0", flag, "0.0.0.0:0"}, io.Discard, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), "RADIUS on 0.0.0.0:0: the demo listens on this machine only") {
			t.Errorf("demo %s 0.0.0.0:0: exit %d\n%s", flag, code, &errOut)
		}
	}
}

// The first staff account is made on the command line: a one-time set-up
// link, which the console then opens.
func TestUserAdd(t *testing.T) {
	serveEnv(t)
	dir := t.TempDir()
	args := []string{"-data", dir, "-db", filepath.Join(dir, "m.db"), "-public-url", "https://mteja.example"}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append([]string{"user", "add", "jkamau", "admin", "-full-name", "John Kamau"}, args...), &out, &errOut); code != 0 {
		t.Fatalf("user add: exit %d\n%s", code, &errOut)
	}
	if !regexp.MustCompile(`^https://mteja\.example/staff/setup/mtu_[a-z2-7]{52}\n$`).MatchString(out.String()) {
		t.Errorf("set-up link: %q", out.String())
	}
	for _, bad := range [][]string{{"user", "add", "jkamau", "root"}, {"user", "add", "J K", "care"}, {"user", "add"}, {"user", "frobnicate", "x"}} {
		if code := run(context.Background(), append(bad, args...), io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	out.Reset()
	run(context.Background(), append([]string{"user", "list"}, args...), &out, io.Discard)
	if !strings.Contains(out.String(), "jkamau") || !strings.Contains(out.String(), "setup") {
		t.Errorf("user list: %q", out.String())
	}
	if code := run(context.Background(), append([]string{"user", "reset", "nobody"}, args...), io.Discard, io.Discard); code != 1 {
		t.Errorf("reset of an unknown user: exit %d", code)
	}
}

// serve refuses a hotspot allow-list it cannot read, naming the setting,
// rather than start with the captive page posting where nobody meant.
func TestServeRefusesBadHotspotHosts(t *testing.T) {
	clearEnv(t)
	t.Setenv("MTEJA_VENDING_KEY", app.DemoVendingKey)
	t.Setenv("MTEJA_DARAJA_ALLOW", "any")
	t.Setenv("MTEJA_ISP_HOTSPOT_HOSTS", "hotspot.lan, *.example")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "MTEJA_ISP_HOTSPOT_HOSTS") || !strings.Contains(errOut.String(), "*.example") {
		t.Errorf("serve with a bad hotspot allow-list: exit %d\n%s", code, &errOut)
	}
}
