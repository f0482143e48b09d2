package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// runCmd runs mteja with args and returns the exit status and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// newDB makes a migrated SQLite database holding the sample tariff as
// "domestic", and returns its path.
func newDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mteja.db")
	if code, _, stderr := runCmd(t, "migrate", "-db", path); code != 0 {
		t.Fatalf("mteja migrate: exit %d: %s", code, stderr)
	}
	db := openTestDB(t, path)
	defer db.Close()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func openTestDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func drn(t *testing.T, serial int) string {
	t.Helper()
	d, err := sts.WithCheckDigit(fmt.Sprintf("07%08d", serial))
	if err != nil {
		t.Fatal(err)
	}
	return string(d)
}

func writeCSV(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "meters.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// `mteja import meters` stores every row of a good file, and of a file with
// bad rows reports each bad row and stores nothing.
func TestImportMeters(t *testing.T) {
	clearEnv(t)
	path := newDB(t)
	a, b, c := drn(t, 1), drn(t, 2), drn(t, 3)
	wrongCheck := a[:len(a)-1] + string('0'+(a[len(a)-1]-'0'+1)%10)

	bad := writeCSV(t,
		"meter,name,phones,language,sgc,tariff,area",
		c+",Grace Achieng,0712000111,sw,123456,domestic,Kisumu",
		wrongCheck+",Bad Check,0712000112,en,123456,domestic,Kisumu",
		b+",No Tariff,0712000113,en,123456,industrial,Kisumu",
		b+",Bad Phone,12,en,123456,domestic,Kisumu",
		c+",Twice,0712000114,en,123456,domestic,Kisumu",
		drn(t, 4)+",Bad Language,0712000115,fr,123456,domestic,Kisumu",
	)
	code, stdout, stderr := runCmd(t, "import", "meters", bad, "-db", path)
	if code != 1 {
		t.Errorf("import of a bad file: exit %d, want 1\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"5 bad rows, nothing imported", "row 3:", "check digit", "row 4:", `"industrial"`, "row 5:", "phones", "row 6:", "already on row 2", "row 7:", "language"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the report of the bad file does not say %q:\n%s", want, stderr)
		}
	}
	db := openTestDB(t, path)
	var n int
	if err := db.Read().QueryRow(`SELECT count(*) FROM meters`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d meters after a refused import (%v), want 0", n, err)
	}
	db.Close()

	good := writeCSV(t,
		"meter,name,phones,language,sgc,tariff,area,debt",
		a+",Grace Achieng,0712000111,sw,123456,domestic,Kisumu,",
		b+",Peter Otieno,0712000222;+254733000333,en,600727,domestic,Eldoret,1500.50",
	)
	code, stdout, stderr = runCmd(t, "import", "meters", good, "-db", path)
	if code != 0 || !strings.Contains(stdout, "imported 2 meters") {
		t.Fatalf("import of a good file: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	db = openTestDB(t, path)
	defer db.Close()
	m, err := customer.GetMeter(context.Background(), db.Read(), b)
	if err != nil {
		t.Fatal(err)
	}
	if m.SGC != "600727" || m.TariffID != "domestic" || m.Debt != 150050 || m.Area != "Eldoret" || m.Status != customer.MeterActive {
		t.Errorf("imported meter %+v", m)
	}
	if _, err := m.STS(); err != nil {
		t.Errorf("imported meter cannot make tokens: %v", err)
	}
	ms, err := customer.MetersForPhone(context.Background(), db.Read(), "254733000333")
	if err != nil || len(ms) != 1 || ms[0].DRN != b {
		t.Errorf("meters of the second phone: %+v, %v", ms, err)
	}

	// The same file again: every row is already there.
	code, _, stderr = runCmd(t, "import", "meters", good, "-db", path)
	if code != 1 || !strings.Contains(stderr, "already registered") {
		t.Errorf("importing twice: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = runCmd(t, "import", "meters", filepath.Join(t.TempDir(), "missing.csv"), "-db", path)
	if code != 1 || stderr == "" {
		t.Errorf("importing a missing file: exit %d, stderr %q; want 1 and a reason", code, stderr)
	}
	code, _, stderr = runCmd(t, "import", "meters", writeCSV(t, "meter,colour", a+",red"), "-db", path)
	if code != 1 || !strings.Contains(stderr, `unknown column "colour"`) {
		t.Errorf("importing an unknown column: exit %d, stderr %q", code, stderr)
	}
}

// `mteja apikey create` prints a key that authenticates with its role, once.
func TestAPIKeyCreate(t *testing.T) {
	clearEnv(t)
	path := newDB(t)
	code, stdout, stderr := runCmd(t, "apikey", "create", "partner", "integration", "-db", path)
	if code != 0 {
		t.Fatalf("apikey create: exit %d: %s", code, stderr)
	}
	key := strings.TrimSpace(stdout)
	if !strings.HasPrefix(key, "mtk_") || strings.Contains(key, "\n") || strings.Contains(stderr, key) {
		t.Errorf("apikey create printed %q (stderr %q): want one key, on stdout only", stdout, stderr)
	}
	db := openTestDB(t, path)
	defer db.Close()
	p, err := staff.Authenticate(context.Background(), db, key)
	if err != nil || p.Role != staff.RoleIntegration || p.Name != "partner" {
		t.Errorf("the new key authenticates as %+v, %v", p, err)
	}
	var stored int
	if err := db.Read().QueryRow(`SELECT count(*) FROM api_keys WHERE key_hash = $1`, key).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the key itself is stored (%d rows, %v): only its hash may be", stored, err)
	}
}

// `mteja apikey list` shows every key without the key or its hash, and
// `mteja apikey revoke` revokes one by id or unique name, says which, and
// refuses a name two valid keys share.
func TestAPIKeyListAndRevoke(t *testing.T) {
	clearEnv(t)
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			if code, _, stderr := runCmd(t, "migrate", "-db", dsn); code != 0 {
				t.Fatalf("mteja migrate: exit %d: %s", code, stderr)
			}
			create := func(name, role string) string {
				t.Helper()
				code, stdout, stderr := runCmd(t, "apikey", "create", name, role, "-db", dsn)
				if code != 0 {
					t.Fatalf("apikey create: exit %d: %s", code, stderr)
				}
				return strings.TrimSpace(stdout)
			}
			partner, partner2, tool := create("partner", "integration"), create("partner", "agent"), create("tool", "finance")

			code, list, stderr := runCmd(t, "apikey", "list", "-db", dsn)
			if code != 0 {
				t.Fatalf("apikey list: exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(list), "\n")
			if len(lines) != 4 || !strings.Contains(lines[0], "ID") || !strings.Contains(lines[0], "REVOKED") {
				t.Fatalf("apikey list printed %q, want a header and 3 keys", list)
			}
			for _, key := range []string{partner, partner2, tool} {
				sum := sha256.Sum256([]byte(key))
				if strings.Contains(list, key) || strings.Contains(list, hex.EncodeToString(sum[:])) {
					t.Errorf("apikey list shows a key or its hash:\n%s", list)
				}
			}
			if f := strings.Fields(lines[3]); len(f) != 5 || f[1] != "tool" || f[2] != "finance" || f[4] != "-" {
				t.Errorf("apikey list line %q, want id, tool, finance, created, -", lines[3])
			}
			toolID := strings.Fields(lines[3])[0]

			code, stdout, stderr := runCmd(t, "apikey", "revoke", "partner", "-db", dsn)
			if code != 1 || !strings.Contains(stderr, "more than one valid key") || stdout != "" {
				t.Errorf("revoking a shared name: exit %d, stdout %q, stderr %q; want 1 and a refusal", code, stdout, stderr)
			}
			code, stdout, stderr = runCmd(t, "apikey", "revoke", toolID, "-db", dsn)
			if code != 0 || !strings.Contains(stdout, toolID) || !strings.Contains(stdout, "tool") || !strings.Contains(stdout, "finance") {
				t.Errorf("apikey revoke %s: exit %d, stdout %q, stderr %q; want it to say what it revoked", toolID, code, stdout, stderr)
			}
			code, _, stderr = runCmd(t, "apikey", "revoke", toolID, "-db", dsn)
			if code != 1 || !strings.Contains(stderr, "already revoked") {
				t.Errorf("revoking twice: exit %d, stderr %q", code, stderr)
			}
			code, _, stderr = runCmd(t, "apikey", "revoke", "nobody", "-db", dsn)
			if code != 1 || !strings.Contains(stderr, "not found") {
				t.Errorf("revoking an unknown key: exit %d, stderr %q", code, stderr)
			}

			_, list, _ = runCmd(t, "apikey", "list", "-db", dsn)
			if f := strings.Fields(strings.Split(strings.TrimSpace(list), "\n")[3]); len(f) != 5 || f[4] == "-" {
				t.Errorf("the revoked key is listed as %q, want a revocation time", f)
			}
			db := openTestDB(t, dsn)
			defer db.Close()
			for _, k := range []struct {
				name, key string
				valid     bool
			}{{"partner", partner, true}, {"partner", partner2, true}, {"tool", tool, false}} {
				if _, err := staff.Authenticate(context.Background(), db, k.key); (err == nil) != k.valid {
					t.Errorf("a %s key: valid=%v after the revocations, want %v (%v)", k.name, err == nil, k.valid, err)
				}
			}
			var n int
			if err := db.Read().QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'apikey.revoke' AND subject = $1 AND actor LIKE 'cli:%'`, toolID).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d audit events for the revocation (%v), want 1", n, err)
			}
		})
	}
}

// A command line that cannot be right exits with status 2 and says why.
func TestUsageErrors(t *testing.T) {
	clearEnv(t)
	for _, args := range [][]string{
		{},
		{"nosuchcommand"},
		{"apikey"},
		{"apikey", "create", "partner"},
		{"apikey", "create", "partner", "superuser"},
		{"apikey", "delete", "partner", "admin"},
		{"apikey", "revoke"},
		{"apikey", "revoke", "-db", "x.db"},
		{"import"},
		{"import", "meters"},
		{"import", "customers", "file.csv"},
		{"demo", "--bogus"},
		{"serve", "-addr", "no-port-here"},
		{"migrate", "extra-argument"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		if code != 2 || stderr == "" {
			t.Errorf("mteja %s: exit %d, stderr %q; want 2 and a reason", strings.Join(args, " "), code, stderr)
		}
		if stdout != "" {
			t.Errorf("mteja %s: printed %q on stdout", strings.Join(args, " "), stdout)
		}
	}
	if code, _, stderr := runCmd(t, "help"); code != 0 || !strings.Contains(stderr, "demo") {
		t.Errorf("mteja help: exit %d, %q", code, stderr)
	}
}
