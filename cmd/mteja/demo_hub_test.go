package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// In `mteja demo`, a hub attendant answers "where is my token?" for a
// walk-in customer after their consent code: the token on her screen is
// the one the demo's payment made, and the code she typed is the one the
// consent SMS carried.
func TestDemoHub(t *testing.T) {
	clearEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"demo", "--once", "--addr", "127.0.0.1:0"}, &out, &errOut); code != 0 {
		t.Fatalf("mteja demo --once: exit %d\nstdout:\n%s\nstderr:\n%s", code, &out, &errOut)
	}
	text := out.String()
	first := tokenRE.FindString(text)
	i := strings.Index(text, `Care hub "Kisumu Central"`)
	if first == "" || i < 0 {
		t.Fatalf("no token, or no care hub story, in the demo's output:\n%s", text)
	}
	story := text[i:]
	sms := regexp.MustCompile(`akinyi at Kisumu Central asks to open your account\..* code (\d{6}) `).FindStringSubmatch(story)
	typed := regexp.MustCompile(`He reads out (\d{6});`).FindStringSubmatch(story)
	if sms == nil || typed == nil || sms[1] != typed[1] {
		t.Errorf("consent SMS %v and the code typed %v differ, or are missing:\n%s", sms, typed, story)
	}
	if !strings.Contains(story, "token "+first) || !regexp.MustCompile(`SMS to 2547\*+149: delivered`).MatchString(story) {
		t.Errorf("the attendant's screen does not show the token %s and its delivered SMS:\n%s", first, story)
	}
	for _, want := range []string{"number A-001", "/staff/setup/mtu_", "/staff/hub", "/demo/sms", "/staff/hubs"} {
		if !strings.Contains(story, want) {
			t.Errorf("the hub story does not mention %q:\n%s", want, story)
		}
	}
}
