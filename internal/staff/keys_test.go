package staff_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

type testBundle struct {
	ctx context.Context
	db  *store.DB
}

func setup(t *testing.T, db *store.DB) *testBundle {
	t.Helper()
	return &testBundle{ctx: context.Background(), db: db}
}

func (b *testBundle) create(t *testing.T, name, role string) (string, staff.Principal) {
	t.Helper()
	key, err := staff.CreateAPIKey(b.ctx, b.db, name, role)
	if err != nil {
		t.Fatal(err)
	}
	p, err := staff.Authenticate(b.ctx, b.db, key)
	if err != nil {
		t.Fatalf("a new key does not authenticate: %v", err)
	}
	return key, p
}

// valid reports whether key still authenticates; any other error than
// ErrUnauthorized fails the test.
func (b *testBundle) valid(t *testing.T, key string) bool {
	t.Helper()
	_, err := staff.Authenticate(b.ctx, b.db, key)
	if err != nil && !errors.Is(err, staff.ErrUnauthorized) {
		t.Fatal(err)
	}
	return err == nil
}

func (b *testBundle) audits(t *testing.T, subject string) int {
	t.Helper()
	var n int
	err := b.db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'apikey.revoke' AND subject = $1 AND actor = 'cli:tester'`, subject).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A key revoked by id or by its unique name stops authenticating at once
// and leaves an audit event; a name two valid keys share is refused and
// revokes nothing; revoking twice or something unknown says so.
func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		first, p1 := b.create(t, "partner", staff.RoleIntegration)
		second, p2 := b.create(t, "partner", staff.RoleCare)
		tool, _ := b.create(t, "tool", staff.RoleFinance)

		_, err := staff.RevokeAPIKey(b.ctx, db, "partner", "cli:tester")
		if !errors.Is(err, staff.ErrAmbiguous) {
			t.Errorf("revoking a name two keys share: %v, want ErrAmbiguous", err)
		}
		if !b.valid(t, first) || !b.valid(t, second) {
			t.Errorf("a refused revocation revoked a key")
		}

		k, err := staff.RevokeAPIKey(b.ctx, db, p1.KeyID, "cli:tester")
		if err != nil {
			t.Fatal(err)
		}
		if k.ID != p1.KeyID || k.Name != "partner" || k.Role != staff.RoleIntegration || !k.Revoked() {
			t.Errorf("revoked %+v, want the first partner key", k)
		}
		if b.valid(t, first) {
			t.Errorf("a revoked key still authenticates")
		}
		if !b.valid(t, second) || !b.valid(t, tool) {
			t.Errorf("revoking one key revoked another")
		}
		if n := b.audits(t, p1.KeyID); n != 1 {
			t.Errorf("%d audit events for the revocation, want 1", n)
		}

		if _, err := staff.RevokeAPIKey(b.ctx, db, p1.KeyID, "cli:tester"); !errors.Is(err, staff.ErrRevoked) {
			t.Errorf("revoking a revoked key: %v, want ErrRevoked", err)
		}
		if _, err := staff.RevokeAPIKey(b.ctx, db, "nobody", "cli:tester"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoking an unknown name: %v, want ErrNotFound", err)
		}
		// One valid key is left with the name: the name now suffices.
		if k, err := staff.RevokeAPIKey(b.ctx, db, "partner", "cli:tester"); err != nil || k.ID != p2.KeyID {
			t.Errorf("revoking the one valid partner key by name: %+v, %v", k, err)
		}
		if b.valid(t, second) {
			t.Errorf("the key revoked by name still authenticates")
		}
		if _, err := staff.RevokeAPIKey(b.ctx, db, "partner", "cli:tester"); !errors.Is(err, staff.ErrRevoked) {
			t.Errorf("revoking a name whose keys are all revoked: %v, want ErrRevoked", err)
		}
		if n := b.audits(t, p2.KeyID); n != 1 {
			t.Errorf("%d audit events for the revocation by name, want 1", n)
		}

		keys, err := staff.ListAPIKeys(b.ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 {
			t.Fatalf("listed %d keys, want 3: %+v", len(keys), keys)
		}
		for i, want := range []struct {
			name    string
			revoked bool
		}{{"partner", true}, {"partner", true}, {"tool", false}} {
			if keys[i].Name != want.name || keys[i].Revoked() != want.revoked || keys[i].CreatedAt.IsZero() {
				t.Errorf("key %d: %+v, want %s revoked=%v", i, keys[i], want.name, want.revoked)
			}
		}
	})
}

