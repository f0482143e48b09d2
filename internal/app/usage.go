package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/usage"
	"github.com/mteja/mteja/internal/ussd"
)

// countUsage adds the node's counts of self-service uses to the database
// every minute, and once more when the node stops.
func (a *App) countUsage(ctx context.Context) {
	a.Usage.Run(ctx, time.Minute, func(err error) { a.Log.Warn("usage counts", "err", err) })
}

// httpUse is what a route's answered request counts as.
type httpUse struct {
	channel, action string
	// query, when set, names a query parameter without which the request
	// only shows a form and counts nothing.
	query string
}

// httpUses are the routes of the portal and the API that serve a customer
// (or staff on one's behalf), by their mux patterns. A route missing here
// counts nothing; TestUsageRoutesAreRegistered keeps the patterns honest.
var httpUses = map[string]httpUse{
	"GET /meters":                        {usage.Web, usage.Meters, ""},
	"GET /meters/{drn}/tokens":           {usage.Web, usage.Tokens, ""},
	"POST /meters/{drn}/resend":          {usage.Web, usage.Resend, ""},
	"GET /purchases":                     {usage.Web, usage.Purchases, ""},
	"GET /receipts/{receipt}":            {usage.Web, usage.Purchases, ""},
	"POST /buy":                          {usage.Web, usage.Buy, ""},
	"GET /paid":                          {usage.Web, usage.Paid, "receipt"},
	"POST /report":                       {usage.Web, usage.Fault, ""},
	"GET /outages":                       {usage.Web, usage.Outage, ""},
	"POST /language":                     {usage.Web, usage.Language, ""},
	"GET /api/v1/me/meters":              {usage.App, usage.Meters, ""},
	"GET /api/v1/me/meters/{drn}/tokens": {usage.App, usage.Tokens, ""},
	"GET /api/v1/me/purchases":           {usage.App, usage.Purchases, ""},
	"POST /api/v1/me/purchases":          {usage.App, usage.Buy, ""},
	"POST /api/v1/me/resend":             {usage.App, usage.Resend, ""},
	"GET /api/v1/me/payments/{receipt}":  {usage.App, usage.Paid, ""},
	"POST /api/v1/me/faults":             {usage.App, usage.Fault, ""},
	"GET /api/v1/me/outages":             {usage.App, usage.Outage, ""},
	"PUT /api/v1/me/language":            {usage.App, usage.Language, ""},
	// Partners and agents; care staff may call these too, with their
	// own keys, and count here with them.
	"GET /api/v1/meters/{drn}":         {usage.API, usage.Meters, ""},
	"GET /api/v1/meters/{drn}/vends":   {usage.API, usage.Tokens, ""},
	"POST /api/v1/meters/{drn}/resend": {usage.API, usage.Resend, ""},
	"GET /api/v1/vends/{id}":           {usage.API, usage.Tokens, ""},
	"GET /api/v1/payments/{receipt}":   {usage.API, usage.Paid, ""},
	"POST /api/v1/purchases":           {usage.API, usage.Buy, ""},
	// Care and finance staff only.
	"GET /api/v1/payments":                    {usage.Staff, usage.PaymentList, ""},
	"POST /api/v1/payments/{receipt}/reverse": {usage.Staff, usage.Reverse, ""},
	"GET /api/v1/suspense":                    {usage.Staff, usage.SuspenseList, ""},
	"POST /api/v1/suspense/{id}/assign":       {usage.Staff, usage.Assign, ""},
	"POST /api/v1/suspense/{id}/refund":       {usage.Staff, usage.Refund, ""},
}

// countUses counts the requests to the routes in httpUses that were
// answered (a status below 400, and not a redirect to the login page). It asks the mux which route a request
// takes, which is cheap beside the request, and leaves the handlers alone.
func (a *App) countUses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := a.Mux.Handler(r)
		use, ok := httpUses[pattern]
		if !ok || use.query != "" && r.URL.Query().Get(use.query) == "" {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// A page that sends the visitor to log in first served nothing.
		if sw.status < http.StatusBadRequest && !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			a.Usage.Add(use.channel, use.action)
		}
	})
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ussdSession is about how long a USSD session lasts.
const ussdSession = 3 * time.Minute

// countedUSSD counts the functions USSD callers use. The menus replay a
// session's whole path on every request and fetch again what the screens
// passed through show, so one phone's use of a function counts once per
// session's length.
type countedUSSD struct {
	ussd.Backend
	uses   *usage.Counter
	recent *recentUses
}

func newCountedUSSD(b ussd.Backend, uses *usage.Counter) countedUSSD {
	return countedUSSD{Backend: b, uses: uses, recent: &recentUses{at: map[[2]string]time.Time{}}}
}

func (b countedUSSD) count(msisdn, action string) {
	if b.recent.first(msisdn, action) {
		b.uses.Add(usage.USSD, action)
	}
}

func (b countedUSSD) LastTokens(ctx context.Context, msisdn, drn string, n int) ([]ussd.Token, error) {
	b.count(msisdn, usage.Tokens)
	return b.Backend.LastTokens(ctx, msisdn, drn, n)
}

func (b countedUSSD) ResendTokens(ctx context.Context, msisdn, drn string, n int) error {
	b.count(msisdn, usage.Resend)
	return b.Backend.ResendTokens(ctx, msisdn, drn, n)
}

func (b countedUSSD) BuyToken(ctx context.Context, msisdn, drn string, amount money.Amount) error {
	b.count(msisdn, usage.Buy)
	return b.Backend.BuyToken(ctx, msisdn, drn, amount)
}

func (b countedUSSD) FindPayment(ctx context.Context, msisdn, receipt string) (ussd.PaymentLookup, error) {
	b.count(msisdn, usage.Paid)
	return b.Backend.FindPayment(ctx, msisdn, receipt)
}

func (b countedUSSD) RecentPurchases(ctx context.Context, msisdn, drn string, n int) ([]ussd.Purchase, error) {
	b.count(msisdn, usage.Purchases)
	return b.Backend.RecentPurchases(ctx, msisdn, drn, n)
}

func (b countedUSSD) ReportFault(ctx context.Context, msisdn, drn string, kind ussd.FaultKind, note string) (string, error) {
	b.count(msisdn, usage.Fault)
	return b.Backend.ReportFault(ctx, msisdn, drn, kind, note)
}

func (b countedUSSD) OutageStatus(ctx context.Context, msisdn, drn, lang string) (string, error) {
	b.count(msisdn, usage.Outage)
	return b.Backend.OutageStatus(ctx, msisdn, drn, lang)
}

func (b countedUSSD) SetLanguage(ctx context.Context, msisdn, lang string) error {
	b.count(msisdn, usage.Language)
	return b.Backend.SetLanguage(ctx, msisdn, lang)
}

// recentUses remembers when each phone last used each function, for a
// session's length.
type recentUses struct {
	mu    sync.Mutex
	at    map[[2]string]time.Time
	sweep int // sweep for expired entries at this size
}

// first reports whether this is the phone's first use of action within a
// session's length, and remembers it.
func (r *recentUses) first(msisdn, action string) bool {
	now := time.Now()
	k := [2]string{msisdn, action}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.at[k]; ok && now.Sub(t) < ussdSession {
		return false
	}
	if len(r.at) >= r.sweep {
		for k, t := range r.at {
			if now.Sub(t) >= ussdSession {
				delete(r.at, k)
			}
		}
		r.sweep = max(4096, 2*len(r.at))
	}
	r.at[k] = now
	return true
}
