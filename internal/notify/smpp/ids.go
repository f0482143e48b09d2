package smpp

import (
	"strconv"
	"strings"
)

// NormalizeID gives a provider message id a canonical form so that the id
// from submit_sm_resp and the one in the receipt compare equal even when
// the SMSC writes one in hex and the other in decimal. Trailing NULs and
// spaces go; digits-only ids lose leading zeros; ids of hex digits with at
// least one letter (or a 0x prefix) become decimal; anything else (UUIDs,
// ids too long for 64 bits) is kept, lower-cased.
//
// A digits-only hex id ("10000000" meaning 268435456) cannot be told from
// a decimal one by looking at it; the Client resolves those against the
// ids it was recently given (see Config.IDMemory).
func NormalizeID(id string) string {
	s := strings.ToLower(strings.TrimSpace(strings.TrimRight(id, "\x00")))
	if s == "" {
		return ""
	}
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		if v, err := strconv.ParseUint(h, 16, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
		return s
	}
	if isDigits(s) {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
		return s
	}
	if isHex(s) {
		if v, err := strconv.ParseUint(s, 16, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
	}
	return s
}

// idForms lists the canonical ids raw may stand for: its NormalizeID form
// first, then, for a digits-only id, its value read as hex.
func idForms(raw string) []string {
	n := NormalizeID(raw)
	forms := []string{n}
	s := strings.ToLower(strings.TrimSpace(strings.TrimRight(raw, "\x00")))
	if isDigits(s) {
		if v, err := strconv.ParseUint(s, 16, 64); err == nil {
			if h := strconv.FormatUint(v, 10); h != n {
				forms = append(forms, h)
			}
		}
	}
	return forms
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// idBook remembers recent submit_sm_resp ids under every form they may
// take, so a receipt can be reported under the id Send returned.
type idBook struct {
	m    map[string]string // form -> id as reported
	ring []string          // forms in insertion order, for eviction
	head int
	full bool
}

func newIDBook(size int) *idBook {
	return &idBook{m: make(map[string]string), ring: make([]string, max(size, 1)*2)}
}

// add records a response id; it returns the id as Send reports it.
func (b *idBook) add(raw string) string {
	forms := idForms(raw)
	id := forms[0]
	for _, f := range forms {
		if b.full {
			delete(b.m, b.ring[b.head])
		}
		b.ring[b.head] = f
		b.m[f] = id
		b.head++
		if b.head == len(b.ring) {
			b.head, b.full = 0, true
		}
	}
	return id
}

// match finds the reported id a receipt id stands for.
func (b *idBook) match(raw string) (string, bool) {
	for _, f := range idForms(raw) {
		if id, ok := b.m[f]; ok {
			return id, true
		}
	}
	return "", false
}
