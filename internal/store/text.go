package store

import (
	"strings"
	"unicode/utf8"
)

// Truncate cuts s to at most n bytes for a text column, on a character
// boundary: PostgreSQL refuses a string cut in the middle of a UTF-8
// character, and with it the whole row. Invalid bytes already in s become
// "?" for the same reason.
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
