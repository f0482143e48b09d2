package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A charter that would misjudge cases stops the node at start, naming the
// file, the line and the fault; MTEJA_CHARTER names the file.
func TestCharterFromFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "charter.yaml")
	os.WriteFile(bad, []byte(`version: 2026-01-01
business_hours: {days: [mon, tue, wed, thu, fri], open: "08:00", close: "17:00"}
standards:
  - code: quick
    en: Quick
    sw: Haraka
    start: ticket_opened
    category: billing
    stop: outage_restored
    calendar: around_the_clock
    target: 1h
    escalate: 30m
    compensation: {fixed: "10.00"}
`), 0o600)
	env := func(k string) string {
		if k == "MTEJA_CHARTER" {
			return bad
		}
		return ""
	}
	cfg, _, err := config.Parse("test", []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-db", storetest.DSN(t, store.SQLite)}, env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Charter != bad {
		t.Fatalf("MTEJA_CHARTER: charter %q", cfg.Charter)
	}
	_, err = app.New(context.Background(), cfg, app.Options{Demo: true, Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "charter.yaml line 4: standard quick: stop \"outage_restored\"") {
		t.Errorf("a standard stopped by the wrong event: %v; want refused, naming its line", err)
	}
	cfg.Charter = filepath.Join(dir, "missing.yaml")
	if _, err = app.New(context.Background(), cfg, app.Options{Demo: true, Log: slog.New(slog.DiscardHandler)}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("a charter file that is not there: %v; want refused", err)
	}
}
