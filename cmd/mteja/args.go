package main

import (
	"fmt"
	"strings"
)

// splitArgs parts a subcommand's arguments into positional ones, the
// subcommand's own options that take a value (named in own, filled in),
// and the rest, flags for parseConfig (-db, -data...) with their values.
func splitArgs(args []string, own map[string]*string) (pos, flags []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		dst, isOwn := own[name]
		switch {
		case strings.HasPrefix(a, "-") && isOwn:
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("%w: %s needs a value", errUsage, a)
			}
			*dst = args[i+1]
			i++
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	return pos, flags, nil
}
