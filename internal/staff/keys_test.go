package staff_test

import (
	"context"
	"errors"
	"strings"
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

// The bootstrap adopts a key earlier versions stored for the variable
// under the name "admin", so that changing the variable later revokes it;
// it refuses a value that is another role's key and changes nothing then.
func TestSetBootstrapKeyAdoptsAndRefuses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		legacy, p := b.create(t, "admin", staff.RoleAdmin)
		partner, _ := b.create(t, "partner", staff.RoleIntegration)

		if revoked, err := staff.SetBootstrapKey(b.ctx, db, legacy); err != nil || len(revoked) != 0 {
			t.Fatalf("bootstrap with the stored key: revoked %v, %v", revoked, err)
		}
		got, err := staff.Authenticate(b.ctx, db, legacy)
		if err != nil || got.KeyID != p.KeyID || got.Name != staff.BootstrapName || got.Role != staff.RoleAdmin {
			t.Errorf("the adopted key authenticates as %+v, %v; want key %s named %s", got, err, p.KeyID, staff.BootstrapName)
		}

		_, err = staff.SetBootstrapKey(b.ctx, db, partner)
		if err == nil || !strings.Contains(err.Error(), "integration") {
			t.Errorf("bootstrap with an integration key: %v, want a refusal naming the role", err)
		}
		if got, err := staff.Authenticate(b.ctx, db, partner); err != nil || got.Role != staff.RoleIntegration {
			t.Errorf("after the refusal the integration key is %+v, %v", got, err)
		}
		if !b.valid(t, legacy) {
			t.Errorf("a refused bootstrap revoked the bootstrap key")
		}

		revoked, err := staff.SetBootstrapKey(b.ctx, db, "another-bootstrap-key-0123456789")
		if err != nil || len(revoked) != 1 || revoked[0].ID != p.KeyID {
			t.Errorf("changing the variable revoked %+v, %v; want the adopted key", revoked, err)
		}
		if b.valid(t, legacy) {
			t.Errorf("the adopted key outlived a change of the variable")
		}
		if _, err := staff.SetBootstrapKey(b.ctx, db, "short"); err == nil {
			t.Errorf("a 5-character bootstrap key was taken")
		}
	})
}
