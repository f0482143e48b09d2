package mpesa

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// The helpers below read a Daraja body once into a tree of maps, slices,
// strings and json.Numbers, then read each field in whatever form Daraja
// chose for it this time, naming the field in every error. One parse, rather
// than decoding nested json.RawMessages level by level, keeps a callback's
// decoding to a single scan of the body.

// object is a JSON object as decoded; fields is what the client and the
// simulator call a reply's or a request's top level.
type (
	object map[string]any
	fields = object
)

// get finds a key exactly or, failing that, case-insensitively, as
// encoding/json does for struct fields. Absent and null both give nil.
func (o object) get(key string) any {
	if v, ok := o[key]; ok {
		return v
	}
	for k, v := range o {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// str reads a string-like field, "" when absent or not a scalar.
func (o object) str(name string) string {
	s, _, _ := scalar(o.get(name), name)
	return s
}

// kind names a JSON value's type for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// parseBody reads a whole body as one JSON object. Numbers stay exact
// (json.Number): money and phone numbers never pass through a float.
func parseBody(b []byte) (object, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%w: body is empty", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: body is not JSON", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: body is not JSON: data after the object", ErrMalformed)
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: body must be a JSON object, got %s", ErrMalformed, kind(v))
	}
	return o, nil
}

// asObject reads a field that must be a JSON object.
func asObject(v any, field string) (object, error) {
	if v == nil {
		return nil, missing(field)
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fieldErr(field, "must be an object, got %s", kind(v))
	}
	return o, nil
}

// scalar returns the text of a JSON string or number; ok is false when the
// field is absent or null. Numbers keep their decimal text (exponents are
// expanded), so 254708374149 stays a phone number and 500.00 an amount.
func scalar(v any, field string) (text string, ok bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case json.Number:
		s, err := plainNumber(string(v))
		if err != nil {
			return "", false, fieldErr(field, "%v", err)
		}
		return s, true, nil
	}
	return "", false, fieldErr(field, "must be a string or a number, got %s", kind(v))
}

// text reads an optional string-like field; absent means "".
func text(v any, field string) (string, error) {
	s, _, err := scalar(v, field)
	return s, err
}

// requiredText reads a field that must be present and not blank.
func requiredText(v any, field string) (string, error) {
	s, ok, err := scalar(v, field)
	if err != nil {
		return "", err
	}
	if !ok || strings.TrimSpace(s) == "" {
		return "", missing(field)
	}
	return strings.TrimSpace(s), nil
}

// amount reads an amount sent as "500.00", "500", 500 or 500.0.
func amount(v any, field string) (a money.Amount, ok bool, err error) {
	s, ok, err := scalar(v, field)
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
func resultCode(v any, field string) (string, error) {
	s, ok, err := scalar(v, field)
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
func intCode(v any, field string) (int, error) {
	s, err := resultCode(v, field)
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
	Value any
}

// items reads a list of name/value objects sent as an array or, when Daraja
// has only one, as a bare object. nameKey is "Name" or "Key". Absent is an
// empty list.
func items(v any, field, nameKey string) ([]item, error) {
	var elems []any
	switch v := v.(type) {
	case nil:
		return nil, nil
	case []any:
		elems = v
	case map[string]any:
		elems = []any{v}
	default:
		return nil, fieldErr(field, "must be an array or an object, got %s", kind(v))
	}
	out := make([]item, 0, len(elems))
	for i, e := range elems {
		name := field + "[" + strconv.Itoa(i) + "]"
		o, err := asObject(e, name)
		if err != nil {
			return nil, err
		}
		n, err := requiredText(o.get(nameKey), name+"."+nameKey)
		if err != nil {
			return nil, err
		}
		out = append(out, item{Name: n, Value: o.get("Value")})
	}
	return out, nil
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
