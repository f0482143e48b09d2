package mpesa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// The helpers below read one field of a Daraja body, kept as raw JSON, in
// whatever form Daraja chose for it this time, and name the field in every
// error. Decoding into json.RawMessage first (rather than straight into typed
// fields) is what lets errors say which field was wrong: encoding/json drops
// that context for errors returned by custom unmarshalers.

// present reports whether a field was sent with a value other than null.
func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

// kind names a JSON value's type for error messages.
func kind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// decodeObject decodes raw, which must be a JSON object, into v (a struct of
// json.RawMessage fields). Unknown keys are ignored.
func decodeObject(raw json.RawMessage, field string, v any) error {
	if !present(raw) {
		return missing(field)
	}
	if k := kind(raw); k != "an object" {
		return fieldErr(field, "must be an object, got %s", k)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fieldErr(field, "%v", err)
	}
	return nil
}

// decodeBody reads a size-limited body and decodes its top-level object.
func decodeBody(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return fmt.Errorf("%w: body is empty", ErrMalformed)
	}
	if !json.Valid(b) {
		return fmt.Errorf("%w: body is not JSON", ErrMalformed)
	}
	if k := kind(b); k != "an object" {
		return fmt.Errorf("%w: body must be a JSON object, got %s", ErrMalformed, k)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}

// scalar returns the text of a JSON string or number; ok is false when the
// field is absent or null. Numbers keep their decimal text (exponents are
// expanded), so 254708374149 stays a phone number and 500.00 an amount.
func scalar(raw json.RawMessage, field string) (text string, ok bool, err error) {
	if !present(raw) {
		return "", false, nil
	}
	raw = bytes.TrimSpace(raw)
	switch kind(raw) {
	case "a string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, fieldErr(field, "%v", err)
		}
		return s, true, nil
	case "a number":
		s, err := plainNumber(string(raw))
		if err != nil {
			return "", false, fieldErr(field, "%v", err)
		}
		return s, true, nil
	default:
		return "", false, fieldErr(field, "must be a string or a number, got %s", kind(raw))
	}
}

// text reads an optional string-like field; absent means "".
func text(raw json.RawMessage, field string) (string, error) {
	s, _, err := scalar(raw, field)
	return s, err
}

// requiredText reads a field that must be present and not blank.
func requiredText(raw json.RawMessage, field string) (string, error) {
	s, ok, err := scalar(raw, field)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", missing(field)
	}
	return strings.TrimSpace(s), nil
}

// amount reads an amount sent as "500.00", "500", 500 or 500.0.
func amount(raw json.RawMessage, field string) (a money.Amount, ok bool, err error) {
	s, ok, err := scalar(raw, field)
	if err != nil || !ok {
		return 0, ok, err
	}
	return amountText(s, field)
}

// amountText parses an amount already read as text; blank is absent.
func amountText(s, field string) (a money.Amount, ok bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false, nil
	}
	a, err = money.Parse(s)
	if err != nil {
		return 0, false, fieldErr(field, "not an amount: %s", quote(s))
	}
	return a, true, nil
}

// resultCode reads a result code sent as 0, "0", 0.0 or "R000002" and
// normalises it to text: numbers lose any zero fraction, strings are trimmed.
func resultCode(raw json.RawMessage, field string) (string, error) {
	s, ok, err := scalar(raw, field)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if !ok || s == "" {
		return "", missing(field)
	}
	if whole, frac, found := strings.Cut(s, "."); found && strings.Trim(frac, "0") == "" && isDigits(strings.TrimPrefix(whole, "-")) {
		s = whole
	}
	return s, nil
}

// intCode reads a result code that must be an integer (STK result codes).
func intCode(raw json.RawMessage, field string) (int, error) {
	s, err := resultCode(raw, field)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fieldErr(field, "not an integer code: %s", quote(s))
	}
	return n, nil
}

// item is one Name/Value (STK metadata) or Key/Value (result parameter) pair.
type item struct {
	Name  string
	Value json.RawMessage
}

// items reads a list of name/value objects sent as an array or, when Daraja
// has only one, as a bare object. nameKey is "Name" or "Key". Absent is an
// empty list.
func items(raw json.RawMessage, field, nameKey string) ([]item, error) {
	if !present(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	switch kind(raw) {
	case "an array":
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, fieldErr(field, "%v", err)
		}
	case "an object":
		elems = []json.RawMessage{raw}
	default:
		return nil, fieldErr(field, "must be an array or an object, got %s", kind(raw))
	}
	out := make([]item, 0, len(elems))
	for i, e := range elems {
		name := fmt.Sprintf("%s[%d]", field, i)
		var fields map[string]json.RawMessage
		if err := decodeObject(e, name, &fields); err != nil {
			return nil, err
		}
		n, err := requiredText(lookupFold(fields, nameKey), name+"."+nameKey)
		if err != nil {
			return nil, err
		}
		out = append(out, item{Name: n, Value: lookupFold(fields, "Value")})
	}
	return out, nil
}

// lookupFold finds a key case-insensitively, as encoding/json does for
// struct fields, so "value" and "Value" both count.
func lookupFold(m map[string]json.RawMessage, key string) json.RawMessage {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// plainNumber turns a JSON number literal into plain decimal text, expanding
// an exponent exactly (2.54708374149e+11 is a phone number, not a float). The
// exponent is bounded so a hostile 1e999999999 cannot allocate gigabytes.
func plainNumber(lit string) (string, error) {
	mant, exp, hasExp := strings.Cut(strings.ToLower(lit), "e")
	if !hasExp {
		return lit, nil
	}
	e, err := strconv.Atoi(exp)
	if err != nil || e > 64 || e < -64 {
		return "", fmt.Errorf("number out of range: %s", quote(lit))
	}
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	intPart, fracPart, _ := strings.Cut(mant, ".")
	digits := intPart + fracPart
	point := len(intPart) + e
	var s string
	switch {
	case point <= 0:
		s = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		s = digits + strings.Repeat("0", point-len(digits))
	default:
		s = digits[:point] + "." + digits[point:]
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if t := strings.TrimLeft(s, "0"); t == "" || t[0] == '.' {
		s = "0" + t
	} else {
		s = t
	}
	return sign + s, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// quote shows a value in an error, cut short so a hostile body cannot make
// error messages (and logs) arbitrarily long.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
