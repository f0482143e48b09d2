package tariff

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The tariff file is read by walking yaml.v3's node tree rather than decoding
// into structs: the walk keeps the file's order of charges (receipts print in
// that order), sees each number's text as written (no float on the way), and
// puts the line and the path of the offending key in every error.

// pair is one key and value of a YAML mapping.
type pair struct {
	key  string
	line int
	val  *yaml.Node
}

// errAt formats an error with the node's line and the path to it.
func errAt(n *yaml.Node, where, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return fmt.Errorf("line %d: %s: %s", line, where, fmt.Sprintf(format, args...))
}

// resolve follows aliases (*name) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return "nothing"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	case n.Kind == yaml.MappingNode:
		return "a mapping of keys"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return "something else"
}

// pairs returns a mapping's entries in file order, refusing repeated keys.
func pairs(n *yaml.Node, where string) ([]pair, error) {
	n = resolve(n)
	if n == nil {
		return nil, fmt.Errorf("%s is missing", where)
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, where, "want a mapping of keys, found %s", kindName(n))
	}
	out := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, errAt(n.Content[i], where, "keys must be plain names")
		}
		if first, dup := seen[k.Value]; dup {
			return nil, errAt(k, where, "key %q appears twice (first on line %d)", k.Value, first)
		}
		seen[k.Value] = k.Line
		out = append(out, pair{key: k.Value, line: k.Line, val: resolve(n.Content[i+1])})
	}
	return out, nil
}

// fields returns a mapping's entries by key, refusing keys not in known: a
// misspelt "vat_pc" must not leave VAT silently at zero.
func fields(n *yaml.Node, where string, known ...string) (map[string]*yaml.Node, error) {
	ps, err := pairs(n, where)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*yaml.Node, len(ps))
	for _, p := range ps {
		ok := false
		for _, k := range known {
			ok = ok || k == p.key
		}
		if !ok {
			return nil, fmt.Errorf("line %d: %s: unknown key %q (known: %v)", p.line, where, p.key, known)
		}
		out[p.key] = p.val
	}
	return out, nil
}

// scalar returns a single value's text.
func scalar(n *yaml.Node, where string) (string, error) {
	if n == nil {
		return "", fmt.Errorf("%s is missing", where)
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", errAt(n, where, "want a single value, found %s", kindName(n))
	}
	return n.Value, nil
}

// list returns a sequence's items.
func list(n *yaml.Node, where string) ([]*yaml.Node, error) {
	if n == nil {
		return nil, fmt.Errorf("%s is missing", where)
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, where, "want a list, found %s", kindName(n))
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out, nil
}

// value reads a scalar and converts it, adding line and path to any error.
func value[T any](n *yaml.Node, where string, conv func(string) (T, error)) (T, error) {
	var zero T
	s, err := scalar(n, where)
	if err != nil {
		return zero, err
	}
	v, err := conv(s)
	if err != nil {
		return zero, errAt(n, where, "%v", err)
	}
	return v, nil
}
