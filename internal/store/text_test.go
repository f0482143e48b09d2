package store_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/store"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "héllo", 10, "héllo"},
		{"exact", "héllo", 6, "héllo"},
		{"ascii", "hello", 3, "hel"},
		{"inside a 2-byte character", "aé", 2, "a"},
		{"inside a 3-byte character", "ab€", 4, "ab"},
		{"inside a 4-byte character", "a😀", 4, "a"},
		{"after a 4-byte character", "a😀b", 5, "a😀"},
		{"nothing fits", "€", 2, ""},
		{"zero", "abc", 0, ""},
		{"invalid bytes", "a\xffb", 10, "a?b"},
	} {
		if got := store.Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("%s: Truncate(%q, %d) = %q, want %q", tt.name, tt.in, tt.n, got, tt.want)
		}
	}
	long := strings.Repeat("ŋ", 400) // 800 bytes
	for n := range 10 {
		got := store.Truncate(long, 500+n)
		if !utf8.ValidString(got) || len(got) > 500+n || len(got) < 500+n-1 || !strings.HasPrefix(long, got) {
			t.Errorf("Truncate to %d: %d bytes, valid %v", 500+n, len(got), utf8.ValidString(got))
		}
	}
}
