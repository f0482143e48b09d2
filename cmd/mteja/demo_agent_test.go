package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The demo's agent sells a token for cash on USSD and closes a shift that
// reconciles.
func TestDemoAgent(t *testing.T) {
	clearEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"demo", "--once", "--addr", "127.0.0.1:0"}, &out, &errOut); code != 0 {
		t.Fatalf("mteja demo --once: exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errOut)
	}
	text := out.String()
	for _, want := range []string{"account AGENTKDL", "float KES 3,000.00", "END Sold KES 200 to 04123456784. Token ",
		"END Shift closed: 1 sales, expected KES 200, counted KES 200. Balanced.", "then 9 and PIN 1234", "meter=AGENTKDL"} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output does not mention %q:\n%s", want, text)
		}
	}
}
