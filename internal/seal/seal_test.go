package seal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/seal"
)

func TestSealOpen(t *testing.T) {
	s, err := seal.New([]byte("0123456789abcdef0123"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := seal.New([]byte("another key of twenty"))
	sealed, err := s.Seal("s3cret", "user-1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "s3cret") {
		t.Fatalf("sealed form shows the secret: %s", sealed)
	}
	if got, err := s.Open(sealed, "user-1"); err != nil || got != "s3cret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for _, c := range []struct {
		name    string
		s       *seal.Sealer
		sealed  string
		boundTo string
	}{
		{"another row", s, sealed, "user-2"},
		{"another key", other, sealed, "user-1"},
		{"cut short", s, sealed[:10], "user-1"},
	} {
		if _, err := c.s.Open(c.sealed, c.boundTo); !errors.Is(err, seal.ErrKey) {
			t.Errorf("%s: err = %v, want ErrKey", c.name, err)
		}
	}
	if _, err := s.Open("plain", "user-1"); err == nil {
		t.Error("an unsealed value opened")
	}
	if _, err := seal.New([]byte("short")); err == nil {
		t.Error("a 5-byte key was taken")
	}
}

func TestDigest(t *testing.T) {
	s, _ := seal.New([]byte("0123456789abcdef0123"))
	other, _ := seal.New([]byte("another key of twenty"))
	if s.Digest("123456789012") != s.Digest("123456789012") {
		t.Error("Digest is not stable")
	}
	if s.Digest("123456789012") == s.Digest("123456789013") {
		t.Error("two codes share a digest")
	}
	if s.Digest("123456789012") == other.Digest("123456789012") {
		t.Error("the digest does not depend on the key")
	}
}
