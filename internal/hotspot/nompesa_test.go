package hotspot_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/hotspot"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/seal"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// An ISP that cannot send M-Pesa prompts (no Daraja app of its own) is
// told so on the captive page, and no account is made for a purchase
// that cannot happen.
func TestCaptiveWithoutPrompts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		key := []byte(strings.Repeat("k", 32))
		svc, err := isp.New(db, key, isp.Config{Name: "Net"})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := svc.SavePlan(ctx, isp.Plan{ID: "hour", Name: "One hour", Kind: isp.Hotspot, Billing: isp.Bundle, Price: money.MustFromMajor(10),
			Duration: time.Hour, SharedUsers: 1, Active: true}); err != nil {
			t.Fatal(err)
		}
		sl, err := seal.New(key)
		if err != nil {
			t.Fatal(err)
		}
		hosts, err := hotspot.ParseHosts("")
		if err != nil {
			t.Fatal(err)
		}
		h := &hotspot.Handler{DB: db, ISP: svc, Seal: sl, Hosts: hosts, Name: "Net", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		mux := http.NewServeMux()
		h.Routes(mux)
		form := url.Values{"link-login-only": {"http://10.5.50.1/login"}, "mac": {"AA:BB:CC:DD:EE:03"}, "ip": {"10.5.50.3"},
			"phone": {"0712345678"}, "plan": {"hour"}}
		req := httptest.NewRequest("POST", "/hotspot/buy", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "M-Pesa") {
			t.Errorf("buy without prompts: %d\n%s", rec.Code, rec.Body)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM isp_subscribers`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d accounts made (%v), want none", n, err)
		}
	})
}
