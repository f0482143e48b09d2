package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// openAPI is the document, decoded with json.Number so that integers and
// numbers can be told apart, plus a validator for the subset of JSON Schema
// it uses: type, required, properties, additionalProperties, items, enum,
// pattern, minimum, maximum, format date-time and $ref. A keyword the
// validator does not know is an error, so that the document cannot grow
// beyond what the contract tests check without them noticing.
type openAPI struct {
	root map[string]any
}

// annotations are keywords that do not constrain a value.
var annotations = map[string]bool{"description": true, "example": true, "default": true, "title": true}

func parseOpenAPI(b []byte) (*openAPI, error) {
	var root map[string]any
	if err := decodeDocJSON(b, &root); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	return &openAPI{root: root}, nil
}

func decodeDocJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

// resolve follows a local $ref ("#/components/schemas/Meter") to its target.
func (d *openAPI) resolve(ref string) (map[string]any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q: only local references are supported", ref)
	}
	var cur any = d.root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not inside an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, part)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q: not an object", ref)
	}
	return m, nil
}

// deref returns the object itself, or what its $ref points to.
func (d *openAPI) deref(m map[string]any) (map[string]any, error) {
	for range 10 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		var err error
		if m, err = d.resolve(ref); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("$ref chain too long")
}

// checkRefs reports every $ref in the document that does not resolve.
func (d *openAPI) checkRefs() []string {
	var bad []string
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := d.resolve(ref); err != nil {
					bad = append(bad, at+": "+err.Error())
				}
			}
			for k, c := range v {
				walk(c, at+"/"+k)
			}
		case []any:
			for i, c := range v {
				walk(c, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(d.root, "#")
	return bad
}

// validate checks v (decoded with json.Number) against schema s and returns
// every problem, each prefixed with where in v it is. When strict, an
// object may hold only the properties its schema declares unless
// additionalProperties says otherwise: responses must not carry fields the
// document does not describe.
func (d *openAPI) validate(s map[string]any, v any, at string, strict bool) []string {
	s, err := d.deref(s)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kw := s[k]
		switch k {
		case "type":
			if !hasType(kw, v) {
				fail("%s is not of type %v", describe(v), kw)
				return errs // the other keywords would only repeat it
			}
		case "required":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			for _, r := range kw.([]any) {
				if _, ok := obj[r.(string)]; !ok {
					fail("required property %q is missing", r)
				}
			}
		case "properties":
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			props := kw.(map[string]any)
			for name, pv := range obj {
				ps, ok := props[name].(map[string]any)
				if !ok {
					continue // additionalProperties decides
				}
				errs = append(errs, d.validate(ps, pv, at+"."+name, strict)...)
			}
		case "additionalProperties":
			// Checked with the properties below.
		case "items":
			arr, ok := v.([]any)
			if !ok {
				continue
			}
			for i, item := range arr {
				errs = append(errs, d.validate(kw.(map[string]any), item, fmt.Sprintf("%s[%d]", at, i), strict)...)
			}
		case "enum":
			if !slices.ContainsFunc(kw.([]any), func(e any) bool { return equalJSON(e, v) }) {
				fail("%s is not one of %v", describe(v), kw)
			}
		case "pattern":
			str, ok := v.(string)
			if !ok {
				continue
			}
			re, err := regexp.Compile(kw.(string))
			if err != nil {
				fail("bad pattern %q: %v", kw, err)
			} else if !re.MatchString(str) {
				fail("%q does not match %s", str, kw)
			}
		case "minimum", "maximum":
			n, ok := v.(json.Number)
			if !ok {
				continue
			}
			x, _ := n.Float64()
			lim, _ := kw.(json.Number).Float64()
			if k == "minimum" && x < lim || k == "maximum" && x > lim {
				fail("%s is out of range (%s %v)", n, k, lim)
			}
		case "format":
			str, ok := v.(string)
			if !ok || kw != "date-time" {
				continue
			}
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				fail("%q is not a date-time: %v", str, err)
			}
		default:
			if !annotations[k] {
				fail("the validator does not know the keyword %q: teach it before using it", k)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		errs = append(errs, d.extra(s, obj, at, strict)...)
	}
	return errs
}

// extra checks the properties a schema does not declare.
func (d *openAPI) extra(s map[string]any, obj map[string]any, at string, strict bool) []string {
	props, _ := s["properties"].(map[string]any)
	ap, hasAP := s["additionalProperties"]
	var errs []string
	for name, pv := range obj {
		if _, declared := props[name]; declared {
			continue
		}
		switch ap := ap.(type) {
		case bool:
			if !ap {
				errs = append(errs, fmt.Sprintf("%s: property %q is not allowed", at, name))
			}
		case map[string]any:
			errs = append(errs, d.validate(ap, pv, at+"."+name, strict)...)
		default:
			if strict && !hasAP && props != nil {
				errs = append(errs, fmt.Sprintf("%s: property %q is not in the document", at, name))
			}
		}
	}
	sort.Strings(errs)
	return errs
}

func hasType(t any, v any) bool {
	switch t := t.(type) {
	case []any:
		return slices.ContainsFunc(t, func(x any) bool { return hasType(x, v) })
	case string:
		switch t {
		case "string":
			_, ok := v.(string)
			return ok
		case "integer":
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			_, err := strconv.ParseInt(string(n), 10, 64)
			return err == nil
		case "number":
			_, ok := v.(json.Number)
			return ok
		case "boolean":
			_, ok := v.(bool)
			return ok
		case "object":
			_, ok := v.(map[string]any)
			return ok
		case "array":
			_, ok := v.([]any)
			return ok
		case "null":
			return v == nil
		}
	}
	return false
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// The validator must be able to fail: each keyword on a value it accepts
// and on one it refuses.
func TestSchemaValidator(t *testing.T) {
	doc, err := parseOpenAPI([]byte(`{"components": {"schemas": {
		"Amount": {"type": "object", "required": ["minor"], "properties": {"minor": {"type": "integer"}}},
		"Thing": {"type": "object", "required": ["id", "amount"], "properties": {
			"id": {"type": "string", "pattern": "^[A-Z]{3}$"},
			"state": {"type": "string", "enum": ["a", "b"]},
			"at": {"type": "string", "format": "date-time"},
			"n": {"type": "integer", "minimum": 1, "maximum": 5},
			"tags": {"type": "array", "items": {"type": "string"}},
			"amount": {"$ref": "#/components/schemas/Amount"}}},
		"Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "boolean"}}},
		"Odd": {"type": "string", "oneOf": []}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		schema, value string
		strict        bool
		want          string // "" for valid, else part of the first error
	}{
		{"Thing", `{"id": "ABC", "amount": {"minor": 5}}`, true, ""},
		{"Thing", `{"id": "ABC", "state": "b", "at": "2026-11-25T10:00:00.123Z", "n": 5, "tags": ["x"], "amount": {"minor": -5}}`, true, ""},
		{"Thing", `{"amount": {"minor": 5}}`, false, `required property "id"`},
		{"Thing", `{"id": "abc", "amount": {"minor": 5}}`, false, "does not match"},
		{"Thing", `{"id": "ABC", "state": "c", "amount": {"minor": 5}}`, false, "is not one of"},
		{"Thing", `{"id": "ABC", "at": "yesterday", "amount": {"minor": 5}}`, false, "not a date-time"},
		{"Thing", `{"id": "ABC", "n": 6, "amount": {"minor": 5}}`, false, "out of range"},
		{"Thing", `{"id": "ABC", "n": 0, "amount": {"minor": 5}}`, false, "out of range"},
		{"Thing", `{"id": "ABC", "n": 2.5, "amount": {"minor": 5}}`, false, "not of type"},
		{"Thing", `{"id": "ABC", "tags": [1], "amount": {"minor": 5}}`, false, "$.tags[0]"},
		{"Thing", `{"id": "ABC", "amount": {"minor": "5"}}`, false, "$.amount.minor"},
		{"Thing", `{"id": "ABC", "amount": {"minor": 5}, "extra": 1}`, false, ""},
		{"Thing", `{"id": "ABC", "amount": {"minor": 5}, "extra": 1}`, true, `"extra" is not in the document`},
		{"Thing", `[]`, false, "not of type"},
		{"Closed", `{"a": true, "b": 1}`, false, `"b" is not allowed`},
		{"Odd", `"x"`, false, `keyword "oneOf"`},
	} {
		var v any
		if err := decodeDocJSON([]byte(c.value), &v); err != nil {
			t.Fatal(err)
		}
		errs := doc.validate(map[string]any{"$ref": "#/components/schemas/" + c.schema}, v, "$", c.strict)
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s %s: %v, want valid", c.schema, c.value, errs)
		case c.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], c.want)):
			t.Errorf("%s %s: %v, want an error with %q", c.schema, c.value, errs, c.want)
		}
	}
	if bad := doc.checkRefs(); len(bad) != 0 {
		t.Errorf("refs: %v", bad)
	}
	doc.root["x"] = map[string]any{"$ref": "#/components/schemas/Nope"}
	if bad := doc.checkRefs(); len(bad) != 1 {
		t.Errorf("a broken $ref was not found: %v", bad)
	}
}
