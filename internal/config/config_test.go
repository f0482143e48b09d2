package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFlagBeatsEnvironment(t *testing.T) {
	c, _, err := Parse("serve", []string{"-addr", "127.0.0.1:9000"}, env(map[string]string{"MTEJA_ADDR": "127.0.0.1:7000", "MTEJA_DATA": "d", "MTEJA_VENDING_KEY": "ABAB"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DB != "d/mteja.db" || c.VendingKey != "ABAB" {
		t.Fatalf("config = %+v", c)
	}
}

func TestBadInputIsNamed(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-addr", "nope"}, nil, "-addr"},
		{nil, map[string]string{"MTEJA_SMPP_TPS": "fast"}, "MTEJA_SMPP_TPS"},
		{[]string{"-daraja-allow", "10.0.0.0/8,bogus"}, nil, "bogus"},
		{[]string{"extra"}, nil, "unexpected argument"},
		{nil, map[string]string{"MTEJA_TOKEN_SLO": "soon"}, "MTEJA_TOKEN_SLO"},
		{[]string{"-token-slo", "1s"}, nil, "-token-slo"},
	}
	for _, tt := range tests {
		_, _, err := Parse("serve", tt.args, env(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%v, %v) error = %v; want it to mention %q", tt.args, tt.env, err, tt.want)
		}
	}
}
