package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/tariff"
)

// sampleTariff is the sample tariff file as the utility receives it.
const sampleTariff = "testdata/tariff-kenya-domestic-sample.yaml"

// writeFile writes text to a file of that name in a fresh directory.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleWith returns the sample file with each old replaced by new.
func sampleWith(t *testing.T, oldNew ...string) string {
	t.Helper()
	b, err := os.ReadFile(sampleTariff)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			t.Fatalf("%q is not in the sample", oldNew[i])
		}
		s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
	}
	return s
}

// spaced collapses runs of spaces, so that table output can be matched
// whatever its column widths.
var spaces = regexp.MustCompile(` +`)

func spaced(s string) string { return spaces.ReplaceAllString(s, " ") }

// eachEngine runs fn on a fresh database of each engine, named by its DSN.
func eachEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == store.Postgres && os.Getenv(storetest.EnvPostgres) == "" {
				t.Skipf("PostgreSQL: set %s to run", storetest.EnvPostgres)
			}
			fn(t, storetest.DSN(t, d))
		})
	}
}

// `mteja tariff import` reports every mistake of a file with its line and
// stores nothing; stores a good file; shows on a dry run what a new version
// changes and what sample payments buy under it (KES 500 at the month's
// start checked by hand in the tariff package's TestPreview); and refuses
// to change a version in force.
func TestTariffImport(t *testing.T) {
	clearEnv(t)
	eachEngine(t, func(t *testing.T, dsn string) {
		bad := writeFile(t, "bad.yaml", sampleWith(t, "rate: 12.2200", "rate: 12,22", "vat_pct: 0.16", "vat_pct: 16", "max_purchase: 35000.00", "max_purchase: 50.00"))
		code, stdout, stderr := runCmd(t, "tariff", "import", bad, "-db", dsn)
		if code != 1 || stdout != "" {
			t.Errorf("import of a bad file: exit %d, stdout %q", code, stdout)
		}
		for _, want := range []string{bad + ": parse tariff: 3 problems:", "\n  line 11: energy_blocks[0].rate: \"12,22\" is not a plain decimal number",
			"\n  line 24: vat_pct: VAT of 1600% is out of range", "\n  line 27: max_purchase: maximum purchase 50.00 is below the minimum purchase 100.00"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("the report of the bad file does not say %q:\n%s", want, stderr)
			}
		}
		if _, list, _ := runCmd(t, "tariff", "list", "-db", dsn); strings.Count(list, "\n") != 1 {
			t.Errorf("tariffs after a refused import:\n%s", list)
		}

		code, stdout, stderr = runCmd(t, "tariff", "import", sampleTariff, "-db", dsn)
		if code != 0 || !strings.Contains(stdout, "tariff kenya-domestic-sample (kenya-domestic-sample, KES): new, 1 version\n") ||
			!strings.Contains(stdout, "stored tariff kenya-domestic-sample") {
			t.Fatalf("import of the sample: exit %d\n%s%s", code, stdout, stderr)
		}

		next := writeFile(t, "next.yaml", july2099(t))
		code, stdout, stderr = runCmd(t, "tariff", "import", next, "--dry-run", "--amounts", "500,50", "-db", dsn)
		if code != 0 {
			t.Fatalf("dry run: exit %d\n%s", code, stderr)
		}
		out := spaced(stdout)
		for _, want := range []string{
			"version from 2023-04-01: unchanged, in force",
			"version from 2099-07-01: new, from 2099-07-01",
			"fuel_energy_cost 3.5900 per kWh, VAT → 2.7800 per kWh, VAT",
			"preview of the version from 2099-07-01 against the version in force (from 2023-04-01), for a meter with no debt, in KES:",
			"KES 500.00, the month's first purchase\n in force (2023-04-01) new (2099-07-01)\n units (kWh) 23.83 25.27\n Token Amt 291.22 308.82\n VAT 66.65 66.51\n" +
				" Fuel Energy Charge 85.56 70.25\n Forex Charge 28.84 25.02\n Inflation Adjustment 10.96 11.62\n EPRA Charge 1.91 2.02\n REP Charge 14.56 15.44\n WARMA Charge 0.30 0.32\n",
			"KES 500.00, 50 kWh bought this month",
			"KES 50.00, the month's first purchase\n in force (2023-04-01) new (2099-07-01)\n units (kWh) below the minimum 2.53\n Token Amt - 30.89\n",
			"dry run: nothing stored",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("the dry run does not show %q:\n%s", want, stdout)
			}
		}
		if _, show, _ := runCmd(t, "tariff", "show", "kenya-domestic-sample", "-db", dsn); strings.Contains(show, "2099") {
			t.Errorf("the dry run stored the new version:\n%s", show)
		}

		changed := writeFile(t, "changed.yaml", sampleWith(t, "fuel_energy_cost: 3.5900", "fuel_energy_cost: 3.7000"))
		code, _, stderr = runCmd(t, "tariff", "import", changed, "-db", dsn)
		if code != 1 || !strings.Contains(stderr, "line 8: the version from 2023-04-01 has been in force since that day and vends were priced with it, so it cannot change: fuel_energy_cost 3.5900 per kWh, VAT → 3.7000 per kWh, VAT") {
			t.Errorf("a change to the version in force: exit %d\n%s", code, stderr)
		}

		code, stdout, stderr = runCmd(t, "tariff", "import", next, "-db", dsn)
		if code != 0 || !strings.Contains(stdout, "added versions from 2099-07-01") || !strings.Contains(stdout, "stored tariff kenya-domestic-sample") {
			t.Fatalf("import of the new version: exit %d\n%s%s", code, stdout, stderr)
		}
		code, stdout, _ = runCmd(t, "tariff", "import", next, "-db", dsn)
		if code != 0 || !strings.Contains(stdout, "nothing to change") {
			t.Errorf("the same file again: exit %d\n%s", code, stdout)
		}
		// The future version may still be reworked; the dry run says how.
		reworked := writeFile(t, "reworked.yaml", strings.Replace(july2099(t), "fuel_energy_cost: 2.7800", "fuel_energy_cost: 2.9000", 1))
		code, stdout, stderr = runCmd(t, "tariff", "import", reworked, "--dry-run", "-db", dsn)
		if code != 0 || !strings.Contains(stdout, "  version from 2099-07-01: changed, from 2099-07-01\n    fuel_energy_cost 2.7800 per kWh, VAT → 2.9000 per kWh, VAT\n") {
			t.Errorf("dry run of a reworked future version: exit %d\n%s%s", code, stdout, stderr)
		}
	})
}

// july2099 is the sample with a second version from 2099-07-01 carrying
// the July 2024 pass-through figures and a KES 50 minimum.
func july2099(t *testing.T) string {
	t.Helper()
	s := sampleWith(t)
	var top, version []string
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "name:") || strings.HasPrefix(line, "currency:"):
			top = append(top, line)
		default:
			version = append(version, "    "+line)
		}
	}
	version[0] = "  - " + strings.TrimSpace(version[0])
	return strings.Join(top, "\n") + "\nversions:\n" + strings.Join(version, "\n") + `
  - effective_from: 2099-07-01
    pass_through_per_kwh:
      fuel_energy_cost: 2.7800
      forex_adjustment: 0.9900
      inflation_adjustment: 0.4600
    min_purchase: 50.00
`
}

// `mteja tariff list`, `show` (and `--json`) and `quote` show what is
// stored, and quote a payment as the meter would be sold it.
func TestTariffListShowQuote(t *testing.T) {
	clearEnv(t)
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, _, stderr := runCmd(t, "tariff", "import", writeFile(t, "t.yaml", july2099(t)), "--id", "domestic", "-db", dsn); code != 0 {
			t.Fatalf("tariff import: exit %d: %s", code, stderr)
		}
		m := drn(t, 11)
		if code, _, stderr := runCmd(t, "meter", "register", m, "--sgc", "123456", "--tariff", "domestic", "--debt", "100", "--phones", "0712000111", "-db", dsn); code != 0 {
			t.Fatalf("meter register: exit %d: %s", code, stderr)
		}

		_, list, _ := runCmd(t, "tariff", "list", "-db", dsn)
		lines := strings.Split(strings.TrimSpace(list), "\n")
		if len(lines) != 2 || spaced(lines[0]) != "ID NAME CURRENCY VERSIONS IN FORCE NEXT METERS UPDATED" ||
			!strings.HasPrefix(spaced(lines[1]), "domestic kenya-domestic-sample KES 2 2023-04-01 2099-07-01 1 ") {
			t.Errorf("tariff list:\n%s", list)
		}

		code, show, stderr := runCmd(t, "tariff", "show", "domestic", "-db", dsn)
		if code != 0 {
			t.Fatalf("tariff show: exit %d: %s", code, stderr)
		}
		for _, want := range []string{"tariff domestic (kenya-domestic-sample), KES, 1 meter\n", "\nversion from 2023-04-01 (in force)\n",
			" energy 0-30 kWh 12.2200 per kWh\n", " energy above 100 kWh 19.0800 per kWh\n", " Fuel Energy Charge (fuel_energy_cost) 3.5900 per kWh, VAT\n",
			" REP Charge (rural_electrification_levy) 5% of energy\n", " VAT 16% on energy, fixed charge, the charges marked VAT\n",
			" debt recovery 25% of each payment\n", " purchases KES 100.00 to KES 35,000.00\n",
			"\nversion from 2099-07-01 (future)\n", " Fuel Energy Charge (fuel_energy_cost) 2.7800 per kWh, VAT\n", " purchases KES 50.00 to KES 35,000.00\n"} {
			if !strings.Contains(spaced(show), want) {
				t.Errorf("tariff show does not say %q:\n%s", want, show)
			}
		}

		_, js, _ := runCmd(t, "tariff", "show", "domestic", "--json", "-db", dsn)
		var v tariffJSON
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatalf("tariff show --json: %v\n%s", err, js)
		}
		v0 := v.Versions[0]
		if v.ID != "domestic" || v.Meters != 1 || len(v.Versions) != 2 || v0.State != "in_force" || v.Versions[1].State != "future" ||
			v0.Blocks[1] != (blockJSON{FromKWh: "30", UpToKWh: "100", Rate: "16.5400"}) || v0.Blocks[2] != (blockJSON{FromKWh: "100", Rate: "19.0800"}) ||
			v0.Charges[4] != (chargeJSON{Code: "rural_electrification_levy", Label: "REP Charge", Kind: "levy_of_energy", Share: "5%"}) ||
			v0.VAT != "16%" || v0.MinPurchase != (moneyJSON{10000, "KES 100.00"}) || v.Versions[1].Charges[0].Rate != "2.7800" {
			t.Errorf("tariff show --json:\n%s", js)
		}

		code, quote, stderr := runCmd(t, "tariff", "quote", "domestic", "500", "-db", dsn)
		if code != 0 {
			t.Fatalf("tariff quote: exit %d: %s", code, stderr)
		}
		for _, want := range []string{"tariff domestic, version from 2023-04-01, at ", "\npaid KES 500.00\n Token Amt 291.22\n VAT 66.65\n Fuel Energy Charge 85.56\n",
			"\nunits 23.83 kWh (the token carries 23.9 kWh)\n"} {
			if !strings.Contains(spaced(quote), want) {
				t.Errorf("tariff quote does not say %q:\n%s", want, quote)
			}
		}
		_, quote, _ = runCmd(t, "tariff", "quote", "domestic", "500", "--at", "2099-07-01", "-db", dsn)
		if !strings.Contains(spaced(quote), "version from 2099-07-01, at 2099-07-01 00:00 EAT\npaid KES 500.00\n Token Amt 308.82\n") {
			t.Errorf("tariff quote --at 2099-07-01:\n%s", quote)
		}

		// For the meter: 50 kWh bought this month puts the purchase in the
		// second block, and a quarter of the payment (125.00) would recover
		// debt, of which it owes 100.00.
		db := openTestDB(t, dsn)
		month := time.Now().In(tariff.Zone).Format("2006-01")
		if _, err := db.Write().Exec(`UPDATE meters SET month = $1, month_wh = 50000 WHERE drn = $2`, month, m); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, quote, _ = runCmd(t, "tariff", "quote", "domestic", "500", "--meter", m, "-db", dsn)
		if !strings.Contains(quote, "meter "+m+": 50 kWh bought this month, debt KES 100.00\n") || !strings.Contains(spaced(quote), " Debt Recovery 100.00\n") {
			t.Errorf("tariff quote --meter:\n%s", quote)
		}
		if got := sumLines(t, quote); got != "500.00" {
			t.Errorf("the quote's lines add up to %s, not the 500.00 paid:\n%s", got, quote)
		}

		for _, c := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"quote", "domestic", "50"}, 1, "KES 50.00 is below the minimum purchase of KES 100.00"},
			{[]string{"quote", "domestic", "five"}, 2, `amount "five"`},
			{[]string{"quote", "nope", "500"}, 1, "tariff nope: not found"},
			{[]string{"quote", "domestic", "500", "--at", "soon"}, 2, `"soon" is neither a date`},
			{[]string{"quote", "domestic", "500", "--meter", drn(t, 12)}, 1, "not found"},
			{[]string{"show", "nope"}, 1, "not found"},
			{[]string{"import", writeFile(t, "x.yaml", sampleWith(t)), "--id", "Bad Id"}, 1, "lower-case"},
		} {
			code, _, stderr := runCmd(t, append(append([]string{"tariff"}, c.args...), "-db", dsn)...)
			if code != c.code || !strings.Contains(stderr, c.says) {
				t.Errorf("mteja tariff %s: exit %d, %q; want %d saying %q", strings.Join(c.args, " "), code, stderr, c.code, c.says)
			}
		}
	})
}

// sumLines adds up the amounts of a quote's receipt lines (those indented
// under "paid").
func sumLines(t *testing.T, quote string) string {
	t.Helper()
	var sum money.Amount
	for _, l := range strings.Split(quote, "\n") {
		if !strings.HasPrefix(l, "  ") {
			continue
		}
		f := strings.Fields(l)
		a, err := money.Parse(f[len(f)-1])
		if err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		sum += a
	}
	return sum.String()
}
