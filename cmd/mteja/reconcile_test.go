package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

// `mteja reconcile` imports a statement (recording the payments Mteja
// never heard of, once), reports a bad one line by line and changes
// nothing, lists the exceptions, closes a day once, and pulls from M-Pesa
// when a Daraja client is configured.
func TestReconcileCommands(t *testing.T) {
	clearEnv(t)
	path := newDB(t)
	meter := drn(t, 1)
	if code, _, stderr := runCmd(t, "import", "meters", writeCSV(t, "meter,name,phones,sgc,tariff", meter+",Grace Achieng,0712000111,123456,domestic"), "-db", path); code != 0 {
		t.Fatalf("import meters: exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("1dec.csv", "Statement of the Paybill\n"+
		"Receipt No.,Completion Time,Paid In,Withdrawn,Reason Type,Other Party Info,A/C No.\n"+
		"SL1CLI0001,01-12-2026 09:00:00,500.00,,Pay Bill,2547****111 - GRACE,"+meter+"\n"+
		"SL1CLI0002,01-12-2026 10:00:00,\"1,200.00\",,Pay Bill,2547****222 - PETER,99999999999\n")
	code, stdout, stderr := runCmd(t, "reconcile", "statement", good, "-db", path)
	if code != 0 {
		t.Fatalf("reconcile statement: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"2 rows (2 new;", "2 payments recorded, 2 exceptions", "SL1CLI0001", "recorded", "SL1CLI0002", "suspense"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the import's report lacks %q:\n%s", want, stdout)
		}
	}
	if code, stdout, _ := runCmd(t, "reconcile", "statement", good, "-db", path); code != 0 || !strings.Contains(stdout, "was imported before") {
		t.Errorf("the same statement again: exit %d: %s", code, stdout)
	}
	bad := write("bad.csv", "Receipt No.,Completion Time,Paid In\nSL1CLI0003,01-12-2026 11:00:00,5.00\nSL1CLI0004,soon,5.00\nSL1CLI0005,01-12-2026 11:00:00,five\n")
	code, _, stderr = runCmd(t, "reconcile", "statement", bad, "-db", path)
	if code != 1 || !strings.Contains(stderr, "2 bad rows, nothing imported") || !strings.Contains(stderr, "line 3: Completion Time") || !strings.Contains(stderr, "line 4: Paid In") {
		t.Errorf("a bad statement: exit %d: %s", code, stderr)
	}

	code, stdout, _ = runCmd(t, "reconcile", "exceptions", "-db", path)
	if code != 0 || strings.Count(stdout, "missing_in_mteja") != 2 || strings.Contains(stdout, "SL1CLI0003") {
		t.Errorf("reconcile exceptions: exit %d:\n%s", code, stdout)
	}
	if code, stdout, _ := runCmd(t, "reconcile", "exceptions", "open", "-db", path); code != 0 || strings.Contains(stdout, "SL1CLI") {
		t.Errorf("open exceptions: exit %d:\n%s", code, stdout)
	}
	if code, _, _ := runCmd(t, "reconcile", "exceptions", "lost", "-db", path); code != 2 {
		t.Errorf("exceptions in an unknown state: exit %d, want 2", code)
	}

	code, stdout, stderr = runCmd(t, "reconcile", "close", "2026-12-01", "-db", path)
	if code != 0 || !strings.Contains(stdout, "2026-12-01 closed") || !regexp.MustCompile(`payments_in:mpesa_c2b +2 +1,700\.00`).MatchString(stdout) {
		t.Errorf("reconcile close: exit %d:\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(t, "reconcile", "close", "2026-12-01", "-db", path); code != 1 || !strings.Contains(stderr, "closed and its figures have not changed") {
		t.Errorf("closing again: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCmd(t, "reconcile", "close", "-db", path); code != 2 {
		t.Errorf("close without a day: exit %d, want 2", code)
	}

	if code, _, stderr := runCmd(t, "reconcile", "pull", "-db", path); code != 1 || !strings.Contains(stderr, "MTEJA_DARAJA_URL") {
		t.Errorf("pull without a Daraja client: exit %d: %s", code, stderr)
	}
	// M-Pesa takes a payment whose confirmation goes nowhere Mteja hears.
	sim := mpesa.NewSimulator(mpesa.SimConfig{SkipValidation: true})
	daraja := httptest.NewServer(sim)
	nowhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(func() { sim.Close(); daraja.Close(); nowhere.Close() })
	t.Setenv("MTEJA_DARAJA_URL", daraja.URL)
	t.Setenv("MTEJA_DARAJA_CONSUMER_KEY", "key")
	t.Setenv("MTEJA_DARAJA_CONSUMER_SECRET", "secret")
	t.Setenv("MTEJA_DARAJA_SHORTCODE", sim.ShortCode())
	client := &mpesa.Client{BaseURL: daraja.URL, ConsumerKey: "key", ConsumerSecret: "secret", ShortCode: sim.ShortCode()}
	if _, err := client.RegisterC2BURLs(t.Context(), nowhere.URL+"/c2b/confirmation", nowhere.URL+"/c2b/validation", mpesa.ResponseCompleted); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.PayBill(t.Context(), "0712000111", meter, money.MustFromMajor(300)); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCmd(t, "reconcile", "pull", "register", "0722000000", "https://utility.example/pull", "-db", path); code != 0 || !strings.Contains(stdout, "Registered Successfully") {
		t.Fatalf("pull register: exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "reconcile", "pull", "-db", path)
	if code != 0 || !strings.Contains(stdout, "1 rows (1 new;") || !strings.Contains(stdout, "1 payments recorded") {
		t.Errorf("reconcile pull: exit %d:\n%s%s", code, stdout, stderr)
	}
}
