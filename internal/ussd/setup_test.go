package ussd

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/peer"
)

type testBundle struct {
	b    *memBackend
	h    *Handler
	logs *lockedWriter
}

func (tb *testBundle) logged() string {
	tb.logs.mu.Lock()
	defer tb.logs.mu.Unlock()
	return tb.logs.w.String()
}

// testSecret is the gateway secret of the handlers under test; ussdPath is
// the callback path it opens.
const testSecret = "test-secret-0123456789"

var ussdPath = "/ussd/" + testSecret

func setup(t testing.TB, opts Options) *testBundle {
	t.Helper()
	if opts.Gate.Secret == "" && !opts.Gate.Open {
		opts.Gate = peer.Gate{Secret: testSecret, Open: true}
	}
	tb := &testBundle{b: newMemBackend(), logs: &lockedWriter{w: &bytes.Buffer{}}}
	opts.Logger = slog.New(slog.NewTextHandler(tb.logs, nil))
	if opts.Location == nil {
		opts.Location = eat
	}
	tb.h = NewHandler(tb.b, opts)
	return tb
}

// post sends one callback the way the gateway does.
func (tb *testBundle) post(t testing.TB, sid, msisdn, text string) (int, string) {
	t.Helper()
	form := url.Values{
		"sessionId":   {sid},
		"serviceCode": {"*384*123#"},
		"phoneNumber": {"+" + msisdn},
		"networkCode": {"63902"},
		"text":        {text},
	}
	req := httptest.NewRequest(http.MethodPost, ussdPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	tb.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// screenOf replays a path without the handler's final cut, so that tests see
// a screen exactly as the menus made it.
func (tb *testBundle) screenOf(msisdn, text string) (screen, []node, error) {
	s := &session{ctx: context.Background(), h: tb.h, id: "walk", msisdn: msisdn, raw: text}
	s.lang, s.t = tb.h.opts.DefaultLanguage, textsFor(tb.h.opts.DefaultLanguage)
	tb.h.setLanguage(s)
	stack, hint, err := s.walk(splitPath(text))
	if err != nil {
		return screen{}, nil, err
	}
	return stack[len(stack)-1].render(s, hint), stack, nil
}

// checkReply fails unless body is a well-formed gateway reply.
func checkReply(t testing.TB, body string) {
	t.Helper()
	if !strings.HasPrefix(body, "CON ") && !strings.HasPrefix(body, "END ") {
		t.Errorf("reply %q starts with neither CON nor END", body)
	}
	if n := utf8.RuneCountInString(body); n > maxScreen {
		t.Errorf("reply has %d characters, more than %d:\n%s", n, maxScreen, body)
	}
}

// lockedWriter lets concurrent requests log into one buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
