// Package apptest starts a whole Mteja for end-to-end tests: the demo wiring
// (the Daraja simulator mounted in the server, the in-process SMS sink) on a
// fresh SQLite or PostgreSQL database with the sample utility, listening on
// a free port. When the test ends it lets the pipeline settle and proves the
// books: the ledger balances and agrees with the payments, and no payment
// has more than one vend.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Engines runs fn as a parallel subtest once per database engine: SQLite
// always, PostgreSQL when storetest.EnvPostgres holds a DSN.
func Engines(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// Options change what Start builds.
type Options struct {
	// DB is the database DSN; "" means a fresh database of Dialect.
	DB      string
	Dialect store.Dialect // default SQLite
	// DataDir holds the generated Daraja secret; "" means a fresh one.
	// A restarted app must get the same DataDir to keep its callback URLs.
	DataDir string
	// DarajaAllow is the callback source allow-list; empty means this
	// machine (127.0.0.0/8), where the simulator and the tests call from.
	DarajaAllow peer.AllowList
	// TrustedProxies are the reverse proxies whose X-Forwarded-For the app
	// believes (MTEJA_TRUSTED_PROXIES); empty trusts none.
	TrustedProxies []netip.Prefix
	// PublicURL is where the app is reached (MTEJA_PUBLIC_URL); "" means
	// its own http://ADDR. An https URL makes the portal's cookies Secure,
	// as in production. The demo's Daraja client calls its simulator there
	// as the app starts, and the simulator posts its callbacks there: for
	// a test's own TLS proxy, build with NoStart, start the proxy and make
	// a.Daraja.HTTP trust it before StartNow.
	PublicURL string
	// NoStart builds, migrates and seeds the app but does not start it.
	NoStart bool
	// NoSeed leaves out the demo utility's tariff and customers: for a
	// database the test set up itself, as a new utility would.
	NoSeed bool
	// AdminKey is MTEJA_ADMIN_API_KEY; "" leaves it unset.
	AdminKey string
	// Configure, when set, changes the configuration before the app is
	// built (allow-lists, limits, secrets).
	Configure func(*config.Config)
}

// App is a running Mteja under test.
type App struct {
	*app.App
	T     testing.TB
	Opts  Options // as used, DB and DataDir filled in
	Admin string  // an admin API key
	HTTP  *http.Client

	logs   *logBuffer
	mu     sync.Mutex
	closed bool
}

// Start builds, seeds and (unless o.NoStart) starts an app. Its cleanup
// settles the pipeline, checks the books and closes the app, unless the
// test closed it first.
func Start(t testing.TB, o Options) *App {
	t.Helper()
	if o.Dialect == "" {
		o.Dialect = store.SQLite
	}
	if o.DB == "" {
		o.DB = storetest.DSN(t, o.Dialect)
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	cfg, _, err := config.Parse("test", []string{"-addr", "127.0.0.1:0", "-data", o.DataDir, "-db", o.DB}, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.DarajaAllow = o.DarajaAllow
	cfg.TrustedProxies = o.TrustedProxies
	cfg.AdminKey = o.AdminKey
	if o.PublicURL != "" {
		cfg.PublicURL = o.PublicURL
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	logs := &logBuffer{}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{Demo: true, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	ta := &App{App: a, T: t, Opts: o, logs: logs, HTTP: &http.Client{Timeout: 30 * time.Second}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", logs.String())
		}
	})
	t.Cleanup(ta.finish)
	if !o.NoSeed {
		if err := a.Seed(ctx); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	if !o.NoStart {
		ta.StartNow()
	}
	ta.Admin = ta.Key("admin")
	return ta
}

// StartNow starts an app built with NoStart.
func (a *App) StartNow() {
	a.T.Helper()
	if err := a.App.Start(context.Background()); err != nil {
		a.T.Fatalf("app.Start: %v", err)
	}
}

// Close closes the app now (a crash, as far as the database can tell: the
// next app on it must carry on). The cleanup then does nothing more.
func (a *App) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	a.HTTP.CloseIdleConnections()
	a.App.Close()
}

func (a *App) finish() {
	a.mu.Lock()
	closed := a.closed
	a.mu.Unlock()
	if closed {
		return
	}
	if !a.T.Failed() {
		a.Settle()
		a.CheckBooks()
		a.CheckLog()
	}
	a.Close()
}

// Key makes an API key with role.
func (a *App) Key(role string) string {
	a.T.Helper()
	k, err := createKey(a.DB, role)
	if err != nil {
		a.T.Fatalf("api key %s: %v", role, err)
	}
	return k
}

// CheckLog fails the test if the app logged an error: every error the
// server logs is one a caller saw as a 500 or a worker failed on.
func (a *App) CheckLog() {
	a.T.Helper()
	for _, l := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			a.T.Errorf("the app logged an error: %s", l)
		}
	}
}

// Logs returns what the app logged so far.
func (a *App) Logs() string { return a.logs.String() }

// Do sends a request to the app: body is sent as is when it is []byte or a
// string, as JSON otherwise (nil: no body). key, when set, is the API key.
func (a *App) Do(method, path, key string, body any) (int, []byte) {
	a.T.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			a.T.Fatalf("%s %s: %v", method, path, err)
		}
		r = bytes.NewReader(j)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = a.URL() + path
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		a.T.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		a.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		a.T.Fatalf("%s %s: read reply: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// JSON sends a request, requires status want and decodes the reply into out
// (when not nil).
func (a *App) JSON(method, path, key string, body any, want int, out any) {
	a.T.Helper()
	status, reply := a.Do(method, path, key, body)
	if status != want {
		a.T.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, reply)
	}
	if out != nil {
		if err := json.Unmarshal(reply, out); err != nil {
			a.T.Fatalf("%s %s: decode reply %s: %v", method, path, reply, err)
		}
	}
}

// Callback posts body to one of the Daraja callbacks ("c2b/confirmation")
// with the right secret and returns the status and the reply.
func (a *App) Callback(path string, body []byte) (int, []byte) {
	a.T.Helper()
	return a.Do(http.MethodPost, a.CallbackURL(path), "", body)
}

// Eventually polls cond every few milliseconds until it holds, and fails
// the test if it does not within 15 s. It is for waiting on the pipeline,
// never a timing assertion: the deadline only stops a hung test.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Settle waits until the simulators have delivered their callbacks and the
// vend worker and the ISP's applier have taken every received payment.
func (a *App) Settle() {
	a.T.Helper()
	a.Sim.Wait()
	a.ISPSim.Wait()
	Eventually(a.T, "every received payment to be vended or applied", func() bool {
		return a.count(`SELECT count(*) FROM payments WHERE state = 'received'`) == 0
	})
}

func (a *App) count(query string, args ...any) int {
	a.T.Helper()
	var n int
	if err := a.DB.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		a.T.Fatalf("%s: %v", query, err)
	}
	return n
}

// Count runs a SELECT count(*) query.
func (a *App) Count(query string, args ...any) int {
	a.T.Helper()
	return a.count(query, args...)
}

// logBuffer collects the app's log lines for CheckLog and for failures.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Post posts body to url and returns the status and the reply; unlike Do it
// may run on any goroutine, since it reports failure as an error.
func (a *App) Post(url string, body []byte) (int, []byte, error) {
	resp, err := a.HTTP.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	return resp.StatusCode, reply, err
}
