package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// meDoc is the OpenAPI document with a validator for the part of JSON
// Schema it uses. A keyword the validator does not know is an error, so the
// document cannot grow a rule the tests silently skip.
type meDoc struct {
	root  map[string]any
	paths []meDocPath
}

type meDocPath struct {
	template string
	re       *regexp.Regexp
	item     map[string]any
}

func loadMeDoc(t testing.TB) *meDoc {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseMeDoc(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseMeDoc(b []byte) (*meDoc, error) {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	d := &meDoc{root: root}
	paths, _ := root["paths"].(map[string]any)
	for tmpl, item := range paths {
		pat := regexp.QuoteMeta(tmpl)
		pat = regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(pat, `[^/]+`)
		d.paths = append(d.paths, meDocPath{tmpl, regexp.MustCompile("^" + pat + "$"), item.(map[string]any)})
	}
	// Literal paths before templated ones, as the router matches them.
	sort.Slice(d.paths, func(i, j int) bool {
		return strings.Count(d.paths[i].template, "{") < strings.Count(d.paths[j].template, "{")
	})
	return d, nil
}

// operation finds the documented operation for a request.
func (d *meDoc) operation(method, path string) (tmpl string, op map[string]any, err error) {
	for _, p := range d.paths {
		if p.re.MatchString(path) {
			op, ok := p.item[strings.ToLower(method)].(map[string]any)
			if !ok {
				return "", nil, fmt.Errorf("%s %s: the document has %s but no %s on it", method, path, p.template, method)
			}
			return p.template, op, nil
		}
	}
	return "", nil, fmt.Errorf("%s %s: not in the document", method, path)
}

// response returns the schema documented for an operation's status, nil
// for a response without a body.
func (d *meDoc) response(op map[string]any, status int) (any, error) {
	rs, _ := op["responses"].(map[string]any)
	r, ok := rs[fmt.Sprint(status)]
	if !ok {
		return nil, fmt.Errorf("status %d is not documented", status)
	}
	r, err := d.resolve(r)
	if err != nil {
		return nil, err
	}
	content, ok := r.(map[string]any)["content"].(map[string]any)
	if !ok {
		return nil, nil
	}
	media, ok := content["application/json"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("status %d: no application/json content", status)
	}
	return media["schema"], nil
}

// requestSchema returns an operation's JSON request body schema, or nil.
func (d *meDoc) requestSchema(op map[string]any) any {
	rb, ok := op["requestBody"].(map[string]any)
	if !ok {
		return nil
	}
	return rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
}

// resolve follows a local $ref ("#/components/schemas/Vend").
func (d *meDoc) resolve(v any) (any, error) {
	for i := 0; i < 10; i++ {
		m, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, fmt.Errorf("$ref %q: only local references are supported", ref)
		}
		var cur any = d.root
		for _, part := range strings.Split(ref[2:], "/") {
			cm, ok := cur.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("$ref %q: no such node", ref)
			}
			if cur, ok = cm[part]; !ok {
				return nil, fmt.Errorf("$ref %q: no %q", ref, part)
			}
		}
		v = cur
	}
	return nil, fmt.Errorf("$ref chain too long")
}

// meKnown are the keywords the validator understands; the annotations among
// them ("description", "example", "default") are allowed and ignored.
var meKnown = map[string]bool{"$ref": true, "type": true, "required": true, "properties": true, "additionalProperties": true, "items": true,
	"enum": true, "pattern": true, "format": true, "minimum": true, "maximum": true, "maxLength": true,
	"description": true, "example": true, "default": true}

// validate checks v (decoded with UseNumber) against schema; at names the
// place in the document for the error.
func (d *meDoc) validate(schema, v any, at string) error {
	if m, ok := schema.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			// A $ref with siblings (a description) means the referenced schema.
			target, err := d.resolve(map[string]any{"$ref": ref})
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			return d.validate(target, v, at)
		}
	}
	s, ok := schema.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: schema is %T, not an object", at, schema)
	}
	for k := range s {
		if !meKnown[k] {
			return fmt.Errorf("%s: schema keyword %q is not supported by the test validator", at, k)
		}
	}
	if typ, ok := s["type"].(string); ok {
		if err := meCheckType(typ, v, at); err != nil {
			return err
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
		}
	}
	if str, ok := v.(string); ok {
		if pat, ok := s["pattern"].(string); ok {
			re, err := regexp.Compile(pat)
			if err != nil {
				return fmt.Errorf("%s: pattern %q: %w", at, pat, err)
			}
			if !re.MatchString(str) {
				return fmt.Errorf("%s: %q does not match %s", at, str, pat)
			}
		}
		if n, ok := s["maxLength"].(json.Number); ok {
			if max, _ := n.Int64(); int64(utf8.RuneCountInString(str)) > max {
				return fmt.Errorf("%s: %d characters, more than %d", at, utf8.RuneCountInString(str), max)
			}
		}
		if f, _ := s["format"].(string); f == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not a date-time: %v", at, str, err)
			}
		}
	}
	if num, ok := v.(json.Number); ok {
		x, _ := num.Float64()
		if lo, ok := s["minimum"].(json.Number); ok {
			if l, _ := lo.Float64(); x < l {
				return fmt.Errorf("%s: %v is below the minimum %v", at, num, lo)
			}
		}
		if hi, ok := s["maximum"].(json.Number); ok {
			if h, _ := hi.Float64(); x > h {
				return fmt.Errorf("%s: %v is above the maximum %v", at, num, hi)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					return fmt.Errorf("%s: required property %q is missing", at, r)
				}
			}
		}
		for _, k := range meSortedKeys(obj) {
			ps, ok := props[k]
			if !ok {
				if ap, isBool := s["additionalProperties"].(bool); isBool && !ap {
					return fmt.Errorf("%s: property %q is not in the schema", at, k)
				}
				if ap, isSchema := s["additionalProperties"].(map[string]any); isSchema {
					if err := d.validate(ap, obj[k], at+"."+k); err != nil {
						return err
					}
				}
				continue
			}
			if err := d.validate(ps, obj[k], at+"."+k); err != nil {
				return err
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"]; ok {
			for i, x := range arr {
				if err := d.validate(items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func meCheckType(typ string, v any, at string) error {
	ok := false
	switch typ {
	case "object":
		_, ok = v.(map[string]any)
	case "array":
		_, ok = v.([]any)
	case "string":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "number":
		_, ok = v.(json.Number)
	case "integer":
		n, isNum := v.(json.Number)
		_, err := n.Int64()
		ok = isNum && err == nil
	default:
		return fmt.Errorf("%s: type %q is not supported by the test validator", at, typ)
	}
	if !ok {
		return fmt.Errorf("%s: %s is not of type %s", at, meShow(v), typ)
	}
	return nil
}

func meShow(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		b = append(b[:60], "..."...)
	}
	return string(b)
}

func meSortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func meDecode(b []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// TestMeValidator shows the validator rejects what it should, so that a
// passing contract test means something.
func TestMeValidator(t *testing.T) {
	d := loadMeDoc(t)
	fault := map[string]any{"$ref": "#/components/schemas/Fault"}
	good := `{"ref":"F-ACD347","meter":"54500320905","kind":"no_power","state":"open","created_at":"2026-11-25T09:00:00.123Z"}`
	tests := []struct {
		name   string
		schema any
		json   string
		want   string // "" for valid, else a part of the error
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := meDecode([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			err = d.validate(tt.schema, v, "body")
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("validate = %v; want %q", err, tt.want)
			}
		})
	}
}
