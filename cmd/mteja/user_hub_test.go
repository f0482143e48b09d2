package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/store"
)

// A hub attendant is made on the command line with their hub, which is
// made when new and found whatever the case of its name after that; the
// hub role and -hub go together.
func TestUserAddHub(t *testing.T) {
	serveEnv(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	args := []string{"-data", dir, "-db", db}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append([]string{"user", "add", "akinyi", "hub", "-hub", "Kisumu Central", "-area", "Kisumu"}, args...), &out, &errOut); code != 0 {
		t.Fatalf("user add hub: exit %d\n%s", code, &errOut)
	}
	if !strings.Contains(out.String(), "/staff/setup/mtu_") || !strings.Contains(errOut.String(), `Hub "Kisumu Central" made (area "Kisumu")`) {
		t.Errorf("user add hub: %q %q", &out, &errOut)
	}
	errOut.Reset()
	if code := run(context.Background(), append([]string{"user", "add", "otieno", "hub", "--hub", "kisumu central"}, args...), io.Discard, &errOut); code != 0 || strings.Contains(errOut.String(), "made") {
		t.Fatalf("a second attendant of the hub: exit %d\n%s", code, &errOut)
	}
	for _, bad := range [][]string{{"user", "add", "wanjiru", "hub"}, {"user", "add", "wanjiru", "care", "-hub", "Kisumu Central"}, {"user", "add", "wanjiru", "hub", "-hub"}} {
		if code := run(context.Background(), append(bad, args...), io.Discard, io.Discard); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hubs, err := hub.List(context.Background(), s)
	if err != nil || len(hubs) != 1 {
		t.Fatalf("hubs %+v, %v; want Kisumu Central alone", hubs, err)
	}
	var n int
	if err := s.Read().QueryRow(`SELECT count(*) FROM hub_staff WHERE hub_id = $1`, hubs[0].ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d attendants of the hub, %v; want 2", n, err)
	}
}
