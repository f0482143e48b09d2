package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
)

// me serves the customer app: the self-service of the portal, as JSON,
// for a customer logged in with an SMS code and holding a bearer token.
type me struct {
	*Handler
	login *login.Service
	// Throttles, per session (per client address before login). The code
	// limits that stop guessing live in the database, in login.
	calls  *login.Limiter // every request
	verify *login.Limiter // code checks per address
	buy    *login.Limiter // STK prompts
	lookup *login.Limiter // receipt look-ups
	resend *login.Limiter // token SMS
	report *login.Limiter // fault reports
}

// meRoutes registers the customer app's routes.
func (h *Handler) meRoutes(mux *http.ServeMux) {
	m := &me{Handler: h, login: &login.Service{DB: h.DB, Utility: h.Utility, OnMessages: h.OnMessages},
		calls:  login.NewLimiter(10, 60),
		verify: login.NewLimiter(0.2, 10),
		buy:    login.NewLimiter(1.0/60, 3),
		lookup: login.NewLimiter(0.2, 10),
		resend: login.NewLimiter(1.0/120, 2),
		report: login.NewLimiter(1.0/60, 3),
	}
	mux.Handle("POST /api/v1/login/otp", m.anyone(m.loginOTP))
	mux.Handle("POST /api/v1/login/verify", m.anyone(m.loginVerify))
	mux.Handle("POST /api/v1/me/logout", m.signedIn(m.logout))
	mux.Handle("GET /api/v1/me", m.signedIn(m.profile))
	mux.Handle("GET /api/v1/me/meters", m.signedIn(m.meters))
	mux.Handle("GET /api/v1/me/meters/{drn}/tokens", m.signedIn(m.tokens))
	mux.Handle("GET /api/v1/me/purchases", m.signedIn(m.purchases))
	mux.Handle("POST /api/v1/me/purchases", m.signedIn(m.buyStart))
	mux.Handle("GET /api/v1/me/purchases/{checkout}", m.signedIn(m.buyStatus))
	mux.Handle("POST /api/v1/me/resend", m.signedIn(m.resendTokens))
	mux.Handle("GET /api/v1/me/payments/{receipt}", m.signedIn(m.paid))
	mux.Handle("POST /api/v1/me/faults", m.signedIn(m.fault))
	mux.Handle("GET /api/v1/me/outages", m.signedIn(m.outages))
	mux.Handle("PUT /api/v1/me/language", m.signedIn(m.language))
}

// anyone serves a request before login, throttled per client address.
func (m *me) anyone(fn handlerFunc) http.Handler {
	return m.serve(func(w http.ResponseWriter, r *http.Request) error {
		if err := meTake(w, m.calls, "ip:"+login.ClientAddress(r)); err != nil {
			return err
		}
		return fn(w, r)
	})
}

type meSessionKey struct{}

// signedIn requires a customer's app session (Authorization: Bearer TOKEN).
func (m *me) signedIn(fn handlerFunc) http.Handler {
	return m.serve(func(w http.ResponseWriter, r *http.Request) error {
		s, err := m.login.Authenticate(r.Context(), login.BearerToken(r))
		if err == nil && s.Kind != login.KindApp {
			// A web session lives in an HTTP-only cookie; its token never
			// reaches an app, and is not taken from one.
			err = login.ErrUnauthorized
		}
		if errors.Is(err, login.ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mteja"`)
			return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "log in first: send the token from /api/v1/login/verify as Authorization: Bearer TOKEN"}
		}
		if err != nil {
			return err
		}
		if err := meTake(w, m.calls, "session:"+s.ID); err != nil {
			return err
		}
		return fn(w, r.WithContext(context.WithValue(r.Context(), meSessionKey{}, s)))
	})
}

func meSession(r *http.Request) login.Session {
	s, _ := r.Context().Value(meSessionKey{}).(login.Session)
	return s
}

// meTake spends one request of key, or answers 429 with Retry-After.
func meTake(w http.ResponseWriter, l *login.Limiter, key string) error {
	if ok, wait := l.Allow(key); !ok {
		return meRateLimited(w, wait)
	}
	return nil
}

func meRateLimited(w http.ResponseWriter, wait time.Duration) error {
	secs := int(max(wait, time.Second) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: fmt.Sprintf("too many requests: try again in %d s", secs)}
}

// myMeter returns one of the customer's meters; another's meter is "not
// found", as one that does not exist, so that the API does not tell which
// meter numbers are real.
func (m *me) myMeter(r *http.Request, drn string) (customer.Meter, error) {
	ms, err := customer.MetersForPhone(r.Context(), m.DB.Read(), meSession(r).MSISDN)
	if err != nil {
		return customer.Meter{}, err
	}
	drn = customer.NormalizeNumber(drn)
	for _, x := range ms {
		if x.DRN == drn {
			return x, nil
		}
	}
	return customer.Meter{}, &Error{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("meter %q is not registered to this phone", drn)}
}
