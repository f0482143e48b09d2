package app_test

import (
	"context"
	"net/http"
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

