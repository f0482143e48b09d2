package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// `mteja agent` sets up an outlet and a user, prints the PIN once, and
// refuses bad input as a usage error.
func TestAgentCommand(t *testing.T) {
	clearEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	agentCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(append([]string{"agent"}, args...), "-data", data), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"outlet", "kdl", "Kondele Agency", "-credit-limit", "1000", "-share", "150"}, 0, "account AGENTKDL"},
		{[]string{"outlet", "KDL", "Again"}, 2, ""},
		{[]string{"outlet", "K", "Too short"}, 2, ""},
		{[]string{"outlet", "AB", "Bad share", "-share", "1.5"}, 2, ""},
		{[]string{"commission", "KDL", "-fixed", "5", "-tariff", "domestic"}, 0, "5.00 a sale"},
		{[]string{"user", "KDL", "0722000333", "Wanjiru"}, 0, ""},
		{[]string{"user", "KDL", "0722000333", "Twice"}, 2, ""},
		{[]string{"user", "NONE", "0722000444", "Nobody"}, 1, ""},
		{[]string{"pin", "0722000333"}, 0, ""},
		{[]string{"list"}, 0, "KDL      Kondele Agency"},
		{[]string{"sell"}, 2, ""},
	} {
		code, out, errOut := agentCmd(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("agent %s: exit %d, stdout %q, stderr %q; want %d and %q", strings.Join(tc.args, " "), code, out, errOut, tc.code, tc.out)
		}
		if tc.args[0] == "user" || tc.args[0] == "pin" {
			if code == 0 && !regexp.MustCompile(`^\d{6}\n$`).MatchString(out) {
				t.Errorf("agent %s printed %q, want a six-digit PIN", tc.args[0], out)
			}
		}
	}
}
