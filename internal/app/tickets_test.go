package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A utility's own list of ticket categories is the desk's; a list that
// would lose tickets stops the node at start, naming the entry.
func TestCareCategoriesFromFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("- {name: streetlight, en: Streetlight out, sw: Taa ya barabara, team: field}\n- {name: other, en: Other, sw: Nyingine, team: care}\n"), 0o600)
	a := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.CareCategories = good }})
	if cs := a.Desk.CategoryList(); len(cs) != 2 || cs[0].Name != "streetlight" {
		t.Errorf("categories %+v; want the file's", cs)
	}

	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("- {name: streetlight, en: Streetlight out, team: field}\n"), 0o600)
	cfg, _, err := config.Parse("test", []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-db", storetest.DSN(t, store.SQLite), "-care-categories", bad}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.New(context.Background(), cfg, app.Options{Demo: true, Log: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "streetlight") {
		t.Errorf("a list without Swahili or other: %v; want refused, naming the entry", err)
	}
}
