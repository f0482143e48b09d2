package mpesa

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func TestClientCachesOneToken(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := b.count.oauth.Load(); n != 1 {
		t.Errorf("%d token requests for 8 concurrent calls, want 1", n)
	}
}

func TestClientRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	call := func() {
		t.Helper()
		if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
			t.Fatal(err)
		}
	}
	call()
	b.clock.Advance(3599*time.Second - 2*tokenMargin)
	call()
	if n := b.count.oauth.Load(); n != 1 {
		t.Fatalf("refreshed too early: %d token requests", n)
	}
	// Within the margin of expiry: a new token, fetched before Daraja would
	// refuse the old one (so no request fails first).
	b.clock.Advance(tokenMargin + time.Second)
	before := b.count.api.Load()
	call()
	if n := b.count.oauth.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	if n := b.count.api.Load() - before; n != 1 {
		t.Errorf("%d API requests for one call, want 1 (no refused attempt)", n)
	}
}

func TestClientRetriesOnceOnInvalidToken(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
		t.Fatal(err)
	}
	// Another process of the same app takes a token: ours dies at once.
	other := b.newClient()
	if _, err := other.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
		t.Fatal(err)
	}
	before := b.count.api.Load()
	if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
		t.Fatalf("after the token was replaced: %v", err)
	}
	if n := b.count.api.Load() - before; n != 2 {
		t.Errorf("%d attempts, want 2 (refused, then retried)", n)
	}
	if n := b.count.oauth.Load(); n != 3 {
		t.Errorf("%d token requests, want 3", n)
	}
	// The simulator's clock runs out the token while the client still
	// trusts it: same recovery.
	b.sim.RevokeTokens()
	if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
}

func TestClientGivesUpAfterOneRetry(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/oauth/") {
			w.Write(readSample(t, "oauth-response.json"))
			return
		}
		attempts.Add(1)
		w.WriteHeader(http.StatusNotFound)
		w.Write(readSample(t, "error-invalid-token.json"))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, ShortCode: "174379", Passkey: "p"}
	_, err := c.STKQuery(t.Context(), "ws_CO_1")
	if !IsInvalidToken(err) {
		t.Errorf("error %v", err)
	}
	if n := attempts.Load(); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestClientOAuthFailures(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	bad := b.newClient()
	bad.ConsumerSecret = "wrong"
	_, err := bad.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	var e *APIError
	if !errors.As(err, &e) || e.Code != CodeInvalidAuth || !strings.Contains(err.Error(), "oauth") {
		t.Errorf("wrong secret: %v", err)
	}
	for name, body := range map[string]string{
		"no token":       `{"expires_in":"3599"}`,
		"no expiry":      `{"access_token":"x"}`,
		"word expiry":    `{"access_token":"x","expires_in":"soon"}`,
		"negative":       `{"access_token":"x","expires_in":-1}`,
		"not json":       `<html>gateway</html>`,
		"object expiry":  `{"access_token":"x","expires_in":{}}`,
		"array response": `[]`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		c := &Client{BaseURL: srv.URL}
		_, err := c.STKQuery(t.Context(), "ws_CO_1")
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "oauth") {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, body := range []string{`{"access_token":"x","expires_in":"3599"}`, `{"access_token":"x","expires_in":3599}`} {
		tok, ttl, err := decodeToken([]byte(body))
		if err != nil || tok != "x" || ttl != 3599*time.Second {
			t.Errorf("%s: %q %v %v", body, tok, ttl, err)
		}
	}
}

func TestClientErrorReplies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		check  func(error) bool
	}{
		{"spike arrest", 500, `{"requestId":"1","errorCode":"500.003.02","errorMessage":"Error Occurred: Spike arrest violation"}`, ShouldBackOff},
		{"quota", 500, `{"requestId":"1","errorCode":"500.003.03","errorMessage":"Quota Violation"}`, ShouldBackOff},
		{"locked subscriber", 500, `{"requestId":"1","errorCode":"500.001.1001","errorMessage":"Unable to lock subscriber, a transaction is already in process for the current subscriber"}`, ShouldBackOff},
		{"processing", 500, `{"requestId":"1","errorCode":"500.001.1001","errorMessage":"The transaction is being processed"}`, IsProcessing},
		{"duplicate", 500, `{"requestId":"1","errorCode":"500.002.1001","errorMessage":"Duplicate OriginatorConversationID."}`, IsDuplicate},
		{"registered", 500, `{"requestId":"1","errorCode":"500.003.1001","errorMessage":"Urls are already registered"}`, IsAlreadyRegistered},
		{"html gateway error", 502, `<html><body>Bad Gateway</body></html>`, func(err error) bool {
			var e *APIError
			return errors.As(err, &e) && e.HTTPStatus == 502 && strings.Contains(e.Message, "Bad Gateway") && !ShouldBackOff(err)
		}},
		{"empty 503", 503, ``, func(err error) bool {
			var e *APIError
			return errors.As(err, &e) && e.Message == "Service Unavailable"
		}},
		{"envelope with 200", 200, `{"requestId":"1","errorCode":"400.002.02","errorMessage":"Bad Request - Invalid Amount"}`, func(err error) bool {
			var e *APIError
			return errors.As(err, &e) && e.Code == CodeBadRequest
		}},
		{"non-zero ResponseCode", 200, `{"ResponseCode":"1","ResponseDescription":"Rejected"}`, func(err error) bool {
			var e *APIError
			return errors.As(err, &e) && e.Code == "1" && e.Message == "Rejected"
		}},
		{"reply not JSON", 200, `OK`, func(err error) bool { return errors.Is(err, ErrMalformed) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/oauth/") {
					w.Write([]byte(`{"access_token":"t","expires_in":3599}`))
					return
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &Client{BaseURL: srv.URL, ShortCode: "174379", Passkey: "p", Initiator: "i", SecurityCredential: "s"}
			_, err := c.TransactionStatus(t.Context(), "SKL51ZDR4F", "https://x.co.ke/r", "https://x.co.ke/t", "")
			if err == nil || !tc.check(err) {
				t.Errorf("error %v", err)
			}
		})
	}
}

func TestInjectedSpikeArrest(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.sim.FailNextCalls(1, CodeSpikeArrest, "Spike arrest violation")
	_, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	if !ShouldBackOff(err) {
		t.Fatalf("error %v", err)
	}
	if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10))); err != nil {
		t.Errorf("after the spike: %v", err)
	}
}

func TestSimulatorAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	for name, tc := range map[string]struct {
		method, path, auth string
		wantStatus         int
		wantCode           string
	}{
		"no token":      {"POST", "/mpesa/stkpush/v1/processrequest", "", 401, CodeMissingToken},
		"unknown token": {"POST", "/mpesa/stkpush/v1/processrequest", "Bearer nope", 404, CodeInvalidToken},
		"bad grant":     {"GET", "/oauth/v1/generate?grant_type=password", "", 400, CodeInvalidGrantType},
		"no basic auth": {"GET", "/oauth/v1/generate?grant_type=client_credentials", "", 400, CodeInvalidAuth},
		"unknown path":  {"POST", "/mpesa/b2c/v1/paymentrequest", "", 404, CodeNotFound},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tc.method, b.apiURL+tc.path, strings.NewReader(`{}`))
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := ReadBody(resp.Body)
		resp.Body.Close()
		e := decodeAPIError(resp.StatusCode, body)
		if resp.StatusCode != tc.wantStatus || e.Code != tc.wantCode || e.RequestID == "" {
			t.Errorf("%s: %d %+v", name, resp.StatusCode, e)
		}
	}
}
