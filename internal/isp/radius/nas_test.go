package radius

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
)

func TestNASHidesItsSecret(t *testing.T) {
	t.Parallel()
	n := NAS{ID: "nas-1", Name: "hotspot", Addr: netip.MustParseAddr("10.8.0.2"), Secret: []byte("hunter2-secret")}
	rec := AcctRecord{NAS: n, Username: "alice"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "nas", n, "rec", rec)
	for _, s := range []string{fmt.Sprint(n), fmt.Sprintf("%v %+v %#v %s %q %x", n, n, n, n, n, n), fmt.Sprintf("%+v %#v", rec, rec), logged.String()} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, fmt.Sprintf("%x", "hunter2")) || strings.Contains(s, "104 117 110") {
			t.Errorf("the secret shows: %s", s)
		}
	}
}
