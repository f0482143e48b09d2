package isp_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// Routers are known by their address, each with its own secret, sealed at
// rest and open only in memory.
func TestRouters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		addr := netip.MustParseAddr("10.8.0.2")
		for _, bad := range []struct {
			name, secret string
			addr         netip.Addr
			port         int
		}{
			{"", "a secret long enough", addr, 0},
			{"r2", "short", addr, 0},
			{"r2", "a secret long enough", netip.Addr{}, 0},
			{"r2", "a secret long enough", addr, 70000},
			{"r2", "a secret long enough", netip.MustParseAddr("127.0.0.1"), 0}, // listed already
		} {
			if _, err := b.svc.AddNAS(ctx, bad.name, bad.addr, bad.secret, bad.port, "staff:admin"); !errors.Is(err, isp.ErrNAS) {
				t.Errorf("AddNAS(%q, %v, %q, %d): %v, want ErrNAS", bad.name, bad.addr, bad.secret, bad.port, err)
			}
		}
		n, err := b.svc.AddNAS(ctx, "pppoe-1", netip.MustParseAddr("::ffff:10.8.0.2"), "another secret, 25 chars", 1700, "staff:admin")
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := b.svc.NASByAddr(ctx, addr)
		if err != nil || !ok || got.ID != n.ID || string(got.Secret) != "another secret, 25 chars" || got.CoAPort != 1700 || got.Name != "pppoe-1" {
			t.Fatalf("NASByAddr = %+v, %v, %v", got, ok, err)
		}
		if _, ok, _ := b.svc.NASByAddr(ctx, netip.MustParseAddr("10.8.0.3")); ok {
			t.Fatal("an unknown address was found")
		}
		var sealed string
		db.Read().QueryRow(`SELECT secret_sealed FROM isp_nas WHERE id = $1`, n.ID).Scan(&sealed)
		if strings.Contains(sealed, "another secret") {
			t.Fatal("a router's secret is stored readable")
		}
		routers, err := b.svc.Routers(ctx)
		if err != nil || len(routers) != 2 || routers[0].Secret != nil {
			t.Fatalf("Routers = %+v, %v", routers, err)
		}
		if err := b.svc.RemoveNAS(ctx, n.ID, "staff:admin"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.svc.NASByAddr(ctx, addr); ok {
			t.Fatal("a removed router is still found")
		}
		// Another seal key opens nothing.
		other, _ := isp.New(db, []byte("some other seal key entirely"), isp.Config{})
		if _, _, err := other.NASByAddr(ctx, addr); err == nil {
			t.Fatal("a router's secret opened with another seal key")
		}
	})
}

// Subscribers' usernames, passwords and phones are checked; the password
// is sealed.
func TestSubscribers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		for _, bad := range []struct {
			u   isp.Subscriber
			pw  string
			err error
		}{
			{isp.Subscriber{Username: "al"}, "", isp.ErrUsername},
			{isp.Subscriber{Username: "0712345678"}, "", isp.ErrUsername},   // a phone
			{isp.Subscriber{Username: "123456789012"}, "", isp.ErrUsername}, // a voucher
			{isp.Subscriber{Username: "with space"}, "", isp.ErrUsername},
			{isp.Subscriber{Username: "ALICE"}, "", isp.ErrTaken},
			{isp.Subscriber{Username: "erin"}, "abc", isp.ErrPassword},
			{isp.Subscriber{Username: "erin"}, "tab\there", isp.ErrPassword},
		} {
			if _, _, err := b.svc.CreateSubscriber(ctx, bad.u, bad.pw); !errors.Is(err, bad.err) {
				t.Errorf("CreateSubscriber(%q, %q): %v, want %v", bad.u.Username, bad.pw, err, bad.err)
			}
		}
		if _, _, err := b.svc.CreateSubscriber(ctx, isp.Subscriber{Username: "erin", Phones: []string{"not a phone"}}, ""); err == nil {
			t.Error("a bad phone was taken")
		}
		u, pw, err := b.svc.CreateSubscriber(ctx, isp.Subscriber{Username: " Erin.K ", Phones: []string{"0712 000 005"}, Language: "sw"}, "")
		if err != nil || u.Username != "erin.k" || len(pw) != 8 || u.Phones[0] != "254712000005" {
			t.Fatalf("created %+v with %q, %v", u, pw, err)
		}
		var sealed string
		db.Read().QueryRow(`SELECT password_sealed FROM isp_subscribers WHERE id = $1`, u.ID).Scan(&sealed)
		if strings.Contains(sealed, pw) {
			t.Fatal("a password is stored readable")
		}
		if d := b.auth(t, "erin.k", pap(pw), "FF:01"); d.Message == "Wrong username or password" {
			t.Fatal("the made password does not work")
		}
		if err := b.svc.SetPassword(ctx, u.ID, "a new one", "staff:care"); err != nil {
			t.Fatal(err)
		}
		if d := b.auth(t, "erin.k", pap(pw), "FF:01"); d.Message != "Wrong username or password" {
			t.Fatal("the old password still works")
		}
		if d := b.auth(t, "erin.k", pap("a new one"), "FF:01"); d.Message == "Wrong username or password" {
			t.Fatal("the new password does not work")
		}
	})
}
