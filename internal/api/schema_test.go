package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// openAPI is the document, decoded with json.Number so that integers and
// numbers can be told apart, plus a validator for the subset of JSON Schema
// it uses: type, required, properties, additionalProperties, items, enum,
// pattern, maxLength, minimum, maximum, format date-time and $ref. A
// keyword the validator does not know is an error, so that the document
// cannot grow a rule the contract tests silently skip. Both contract tests,
// the integration API's and the customer app's, check against it.
type openAPI struct {
	root map[string]any
}

// keywords are the constraints the validator checks.
var keywords = map[string]bool{"type": true, "required": true, "properties": true, "additionalProperties": true, "items": true,
	"enum": true, "pattern": true, "maxLength": true, "format": true, "minimum": true, "maximum": true}

// annotations are keywords that do not constrain a value.
var annotations = map[string]bool{"description": true, "example": true, "default": true, "title": true}

// loadDoc reads the package's openapi.json; a $ref that leads nowhere
// fails the test, as it would leave part of a reply unchecked.
func loadDoc(t testing.TB) *openAPI {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parseOpenAPI(b)
	if err != nil {
		t.Fatal(err)
	}
	if bad := doc.checkRefs(); len(bad) > 0 {
		t.Fatalf("unresolved $refs in openapi.json: %v", bad)
	}
	return doc
}

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

// deref returns the object itself, or what its $ref points to. A $ref
// with siblings (a description) means the referenced schema alone.
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

// validate checks v (decoded with json.Number) against schema and returns
// every problem, each prefixed with where in v it is. The checks run in a
// fixed order (keywords, type, value, required, properties by name, items),
// so the first problem is the same on every run. When strict, an object
// may hold only the properties its schema declares unless
// additionalProperties says otherwise: replies must not carry fields the
// document does not describe.
func (d *openAPI) validate(schema, v any, at string, strict bool) []string {
	m, ok := schema.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: schema is %T, not an object", at, schema)}
	}
	s, err := d.deref(m)
	if err != nil {
		return []string{at + ": " + err.Error()}
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for _, k := range sortedKeys(s) {
		if !keywords[k] && !annotations[k] {
			fail("the validator does not know the keyword %q: teach it before using it", k)
		}
	}
	if len(errs) > 0 {
		return errs // what the schema means is unknown
	}
	if t, ok := s["type"]; ok && !hasType(t, v) {
		fail("%s is not of type %v", describe(v), t)
		return errs // the other keywords would only repeat it
	}
	if kw, ok := s["enum"]; ok {
		enum, ok := kw.([]any)
		if !ok {
			fail("enum is %T, not an array", kw)
		} else if !slices.ContainsFunc(enum, func(e any) bool { return equalJSON(e, v) }) {
			fail("%s is not one of %v", describe(v), enum)
		}
	}
	switch v := v.(type) {
	case string:
		errs = append(errs, d.validateString(s, v, at)...)
	case json.Number:
		errs = append(errs, d.validateNumber(s, v, at)...)
	case map[string]any:
		errs = append(errs, d.validateObject(s, v, at, strict)...)
	case []any:
		if items, ok := s["items"]; ok {
			for i, item := range v {
				errs = append(errs, d.validate(items, item, fmt.Sprintf("%s[%d]", at, i), strict)...)
			}
		}
	}
	return errs
}

func (d *openAPI) validateString(s map[string]any, str, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if kw, ok := s["pattern"]; ok {
		pat, isString := kw.(string)
		re, err := regexp.Compile(pat)
		switch {
		case !isString || err != nil:
			fail("bad pattern %v: %v", kw, err)
		case !re.MatchString(str):
			fail("%q does not match %s", str, pat)
		}
	}
	if kw, ok := s["maxLength"]; ok {
		n, _ := kw.(json.Number)
		if max, err := n.Int64(); err != nil {
			fail("bad maxLength %v", kw)
		} else if runes := utf8.RuneCountInString(str); int64(runes) > max {
			fail("%d characters, more than %d", runes, max)
		}
	}
	if s["format"] == "date-time" {
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
			fail("%q is not a date-time: %v", str, err)
		}
	}
	return errs
}

func (d *openAPI) validateNumber(s map[string]any, n json.Number, at string) []string {
	var errs []string
	x, _ := n.Float64()
	for _, k := range []string{"minimum", "maximum"} {
		kw, ok := s[k]
		if !ok {
			continue
		}
		lim, isNum := kw.(json.Number)
		l, err := lim.Float64()
		switch {
		case !isNum || err != nil:
			errs = append(errs, fmt.Sprintf("%s: bad %s %v", at, k, kw))
		case k == "minimum" && x < l:
			errs = append(errs, fmt.Sprintf("%s: %s is out of range (below the minimum %s)", at, n, lim))
		case k == "maximum" && x > l:
			errs = append(errs, fmt.Sprintf("%s: %s is out of range (above the maximum %s)", at, n, lim))
		}
	}
	return errs
}

// validateObject checks required, then each property by name: a declared
// one against its schema, another as additionalProperties says.
func (d *openAPI) validateObject(s map[string]any, obj map[string]any, at string, strict bool) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if kw, ok := s["required"]; ok {
		req, ok := kw.([]any)
		if !ok {
			fail("required is %T, not an array", kw)
		}
		for _, r := range req {
			if _, ok := obj[fmt.Sprint(r)]; !ok {
				fail("required property %q is missing", r)
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	if kw, ok := s["properties"]; ok && props == nil {
		fail("properties is %T, not an object", kw)
	}
	ap, hasAP := s["additionalProperties"]
	for _, name := range sortedKeys(obj) {
		pv := obj[name]
		if ps, declared := props[name]; declared {
			errs = append(errs, d.validate(ps, pv, at+"."+name, strict)...)
			continue
		}
		switch ap := ap.(type) {
		case bool:
			if !ap {
				fail("property %q is not allowed (%q is not in the schema, which admits no others)", name, name)
			}
		case map[string]any:
			errs = append(errs, d.validate(ap, pv, at+"."+name, strict)...)
		default:
			if hasAP {
				fail("additionalProperties is %T, not a boolean or a schema", ap)
			} else if strict && props != nil {
				fail("property %q is not in the document", name)
			}
		}
	}
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

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
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

// The validator refuses what it should on the real document's schemas, so
// that a passing contract test means something.
func TestSchemaValidatorOnDocument(t *testing.T) {
	d := loadDoc(t)
	fault := map[string]any{"$ref": "#/components/schemas/Fault"}
	good := `{"ref":"F-ACD347","meter":"54500320905","kind":"no_power","state":"open","created_at":"2026-11-25T09:00:00.123Z"}`
	tests := []struct {
		name   string
		schema any
		json   string
		want   string // "" for valid, else a part of the first error
	}{
		{"valid", fault, good, ""},
		{"missing required", fault, `{"ref":"F-ACD347","meter":"1","kind":"no_power","state":"open"}`, `"created_at" is missing`},
		{"extra property", fault, strings.Replace(good, `{`, `{"x":1,`, 1), `"x" is not in the schema`},
		{"enum", fault, strings.Replace(good, "no_power", "fire", 1), "not one of"},
		{"pattern", fault, strings.Replace(good, "F-ACD347", "F-1", 1), "does not match"},
		{"date-time", fault, strings.Replace(good, "2026-11-25T09:00:00.123Z", "yesterday", 1), "not a date-time"},
		{"type", fault, strings.Replace(good, `"54500320905"`, `54500320905`, 1), "not of type string"},
		{"integer", map[string]any{"$ref": "#/components/schemas/Amount"}, `{"minor":1.5,"display":"x"}`, "not of type integer"},
		{"array items", map[string]any{"type": "array", "items": fault}, `[` + good + `,{}]`, "[1]: required"},
		{"maximum", map[string]any{"type": "integer", "maximum": json.Number("5")}, `6`, "above the maximum"},
		{"maxLength", map[string]any{"type": "string", "maxLength": json.Number("2")}, `"abc"`, "more than 2"},
		{"unknown keyword", map[string]any{"type": "string", "oneOf": []any{}}, `"a"`, `keyword "oneOf"`},
		{"nested ref", map[string]any{"$ref": "#/components/schemas/PaidLookup"}, `{"receipt":"X","status":"vended","message":"m","vend":{"id":"v"}}`, `"receipt" is missing`},
		{"no schema", nil, `{}`, "not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := decodeDocJSON([]byte(tt.json), &v); err != nil {
				t.Fatal(err)
			}
			errs := d.validate(tt.schema, v, "body", false)
			if tt.want == "" && len(errs) > 0 || tt.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], tt.want)) {
				t.Fatalf("validate = %v; want %q", errs, tt.want)
			}
		})
	}
}
