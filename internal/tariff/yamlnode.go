package tariff

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The tariff file is read by walking yaml.v3's node tree rather than decoding
// into structs: the walk keeps the file's order of charges (receipts print in
// that order), sees each number's text as written (no float on the way), and
// puts the line and the path of the offending key in every problem.
//
// The walk does not stop at the first problem: an operator fixing a file
// wants every mistake in one report, so each helper records what is wrong
// with its node in the reader and hands back what it could read.

// reader collects the problems found while walking a file.
type reader struct {
	problems []Problem
}

// at records a problem at node n (line 0 when there is no node).
func (r *reader) at(n *yaml.Node, where, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	r.problems = append(r.problems, Problem{Line: line, Path: where, Msg: fmt.Sprintf(format, args...)})
}

// missing records that a required key is absent from the mapping at parent.
func (r *reader) missing(parent *yaml.Node, where, hint string) {
	line := 0
	if parent != nil {
		line = parent.Line
	}
	r.problems = append(r.problems, Problem{Line: line, Msg: where + " is missing" + hint})
}

// pair is one key and value of a YAML mapping.
type pair struct {
	key  string
	line int
	val  *yaml.Node
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

// pairs returns a mapping's entries in file order. A repeated key is a
// problem; its first value is kept. ok is false when n is not a mapping.
func (r *reader) pairs(n *yaml.Node, where string) (out []pair, ok bool) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		r.at(n, where, "want a mapping of keys, found %s", kindName(n))
		return nil, false
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			r.at(n.Content[i], where, "keys must be plain names")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			r.at(k, where, "key %q appears twice (first on line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, pair{key: k.Value, line: k.Line, val: resolve(n.Content[i+1])})
	}
	return out, true
}

// fields returns a mapping's entries by key. A key not in known is a
// problem (a misspelt "vat_pc" must not leave VAT silently at zero) and is
// left out. ok is false when n is not a mapping.
func (r *reader) fields(n *yaml.Node, where string, known ...string) (map[string]*yaml.Node, bool) {
	ps, ok := r.pairs(n, where)
	if !ok {
		return nil, false
	}
	out := make(map[string]*yaml.Node, len(ps))
	for _, p := range ps {
		isKnown := false
		for _, k := range known {
			isKnown = isKnown || k == p.key
		}
		if !isKnown {
			r.problems = append(r.problems, Problem{Line: p.line, Path: where, Msg: fmt.Sprintf("unknown key %q (known: %v)", p.key, known)})
			continue
		}
		out[p.key] = p.val
	}
	return out, true
}

// list returns a sequence's items, or records that n is not one.
func (r *reader) list(n *yaml.Node, where string) ([]*yaml.Node, bool) {
	if n == nil || n.Kind != yaml.SequenceNode {
		r.at(n, where, "want a list, found %s", kindName(n))
		return nil, false
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out, true
}

// value reads the single value at n and converts it. A problem (n is not a
// single value, or conv refuses its text) is recorded with n's line and the
// path to it, and ok is false.
func value[T any](r *reader, n *yaml.Node, where string, conv func(string) (T, error)) (v T, ok bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.at(n, where, "want a single value, found %s", kindName(n))
		return v, false
	}
	v, err := conv(n.Value)
	if err != nil {
		r.at(n, where, "%v", err)
		return v, false
	}
	return v, true
}
