package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// lookup is the status of a meter look-up with key.
func lookup(a *apptest.App, key string) int {
	a.T.Helper()
	status, _ := a.Do("GET", "/api/v1/meters/"+app.DemoCustomers[0].Meter, key, nil)
	return status
}

// A key revoked elsewhere (the command line, another node's database
// handle) is refused with 401 on the next request: nothing caches it.
func TestRevokedKeyRefusedAtOnce(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		key := a.Key(staff.RoleIntegration)
		if s := lookup(a, key); s != http.StatusOK {
			t.Fatalf("a new key: %d, want 200", s)
		}
		other, err := store.Open(context.Background(), a.Opts.DB)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if _, err := staff.RevokeAPIKey(context.Background(), other, "test-integration", "cli:tester"); err != nil {
			t.Fatal(err)
		}
		if s := lookup(a, key); s != http.StatusUnauthorized {
			t.Errorf("the revoked key: %d, want 401", s)
		}
		if s := lookup(a, a.Admin); s != http.StatusOK {
			t.Errorf("another key after the revocation: %d, want 200", s)
		}
	})
}

// MTEJA_ADMIN_API_KEY is the one bootstrap key: changing it revokes the old
// key, unsetting it revokes the last one, the same value kept over a
// restart stays valid, and a node started with an old value changes
// nothing. Each step restarts the app on the same database.
func TestBootstrapAdminKey(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		const k1, k2 = "bootstrap-key-one-0123456789", "bootstrap-key-two-0123456789"
		steps := []struct {
			name           string
			env            string // MTEJA_ADMIN_API_KEY
			valid, revoked []string
			revocations    int  // audited revocations so far
			warn           bool // logs that the value is a revoked key
		}{
			{name: "first start", env: k1, valid: []string{k1}},
			{name: "changed", env: k2, valid: []string{k2}, revoked: []string{k1}, revocations: 1},
			{name: "restart, same value", env: k2, valid: []string{k2}, revoked: []string{k1}, revocations: 1},
			{name: "a node with the old value", env: k1, valid: []string{k2}, revoked: []string{k1}, revocations: 1, warn: true},
			{name: "unset", env: "", revoked: []string{k1, k2}, revocations: 2},
		}
		o := apptest.Options{Dialect: d}
		for _, step := range steps {
			o.AdminKey = step.env
			a := apptest.Start(t, o)
			o = a.Opts
			for _, k := range step.valid {
				if s := lookup(a, k); s != http.StatusOK {
					t.Errorf("%s: key %s: %d, want 200", step.name, k[:18], s)
				}
			}
			for _, k := range step.revoked {
				if s := lookup(a, k); s != http.StatusUnauthorized {
					t.Errorf("%s: key %s: %d, want 401", step.name, k[:18], s)
				}
			}
			n := a.Count(`SELECT count(*) FROM audit_events WHERE action = 'apikey.revoke' AND actor = 'config:MTEJA_ADMIN_API_KEY'`)
			if n != step.revocations {
				t.Errorf("%s: %d audited revocations, want %d", step.name, n, step.revocations)
			}
			if warned := strings.Contains(a.Logs(), "holds a revoked key"); warned != step.warn {
				t.Errorf("%s: warned of a revoked value: %v, want %v", step.name, warned, step.warn)
			}
			if s := lookup(a, a.Admin); s != http.StatusOK {
				t.Errorf("%s: a key made with apikey create: %d, want 200", step.name, s)
			}
			a.Close()
		}
	})
}
