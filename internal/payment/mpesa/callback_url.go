package mpesa

import (
	"fmt"
	"net/url"
	"strings"
)

// refusedWords are the words Daraja refuses anywhere in a callback URL, in
// any case.
var refusedWords = []string{"m-pesa", "mpesa", "safaricom", "exec", "exe", "cmd", "sql", "query"}

// ValidCallbackPath checks a callback URL the way Daraja does before
// registering it: an absolute http(s) URL with a host, free of the words
// Daraja refuses (mpesa, m-pesa, safaricom, exe, exec, cmd, sql, query).
// Production also needs HTTPS and a public address, which only the operator
// can vouch for, so plain http is allowed here for sandboxes and simulators.
func ValidCallbackPath(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("callback url: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("callback url %s: scheme must be https or http", quote(raw))
	}
	if u.Host == "" {
		return fmt.Errorf("callback url %s: no host", quote(raw))
	}
	lower := strings.ToLower(raw)
	for _, w := range refusedWords {
		if strings.Contains(lower, w) {
			return fmt.Errorf("callback url %s: contains %q, which Daraja refuses", quote(raw), w)
		}
	}
	return nil
}
