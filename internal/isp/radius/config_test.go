package radius_test

import (
	"errors"
	"testing"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/isp/radius/radiustest"
)

// An empty address opens nothing: never "every interface".
func TestConfigListeners(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		cfg              radius.Config
		newErr, startErr bool
		auth, acct       bool
	}{
		{"nothing set", radius.Config{}, false, true, false, false},
		{"auth only", radius.Config{AuthAddr: "127.0.0.1:0"}, false, false, true, false},
		{"accounting only", radius.Config{AcctAddr: "127.0.0.1:0"}, false, false, false, true},
		{"both", radius.Config{AuthAddr: "127.0.0.1:0", AcctAddr: "127.0.0.1:0"}, false, false, true, true},
		{"no port", radius.Config{AuthAddr: "127.0.0.1"}, true, false, false, false},
		{"one port for both", radius.Config{AuthAddr: "127.0.0.1:1812", AcctAddr: "127.0.0.1:1812"}, true, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := radius.New(tt.cfg, radiustest.NewDecider(false))
			if (err != nil) != tt.newErr {
				t.Fatalf("New: %v", err)
			}
			if err != nil {
				return
			}
			defer srv.Close()
			err = srv.Start()
			if (err != nil) != tt.startErr {
				t.Fatalf("Start: %v", err)
			}
			if tt.startErr && !errors.Is(err, radius.ErrNoListener) {
				t.Errorf("Start: %v, want ErrNoListener", err)
			}
			if (srv.AuthAddr() != nil) != tt.auth || (srv.AcctAddr() != nil) != tt.acct {
				t.Errorf("listening: auth %v, acct %v", srv.AuthAddr(), srv.AcctAddr())
			}
		})
	}
}
