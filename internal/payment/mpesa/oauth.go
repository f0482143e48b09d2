package mpesa

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// tokenMargin is how long before its stated expiry a token is replaced, so a
// request never leaves with a token that dies on the way.
const tokenMargin = time.Minute

// accessToken returns the cached token or fetches a new one. The lock is held
// during the fetch on purpose: concurrent callers wait for one refresh rather
// than each fetching a token that invalidates the others'.
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.token != "" && now.Before(c.expires) {
		return c.token, nil
	}
	tok, ttl, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	margin := tokenMargin
	if ttl <= 2*margin {
		margin = ttl / 2
	}
	c.token, c.expires = tok, now.Add(ttl-margin)
	return tok, nil
}

// dropToken forgets tok if it is still the cached one; a token already
// replaced by a concurrent refresh is left alone.
func (c *Client) dropToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/oauth/v1/generate?grant_type=client_credentials"), nil)
	if err != nil {
		return "", 0, fmt.Errorf("oauth: %w", err)
	}
	req.SetBasicAuth(c.ConsumerKey, c.ConsumerSecret)
	status, b, err := c.send(req, MaxBodyBytes)
	if err != nil {
		return "", 0, fmt.Errorf("oauth: %w", err)
	}
	if status != http.StatusOK {
		return "", 0, fmt.Errorf("oauth: %w", decodeAPIError(status, b))
	}
	tok, ttl, err := decodeToken(b)
	if err != nil {
		return "", 0, fmt.Errorf("oauth: %w", err)
	}
	return tok, ttl, nil
}

// decodeToken reads {"access_token":"...","expires_in":3599}; older replies
// send expires_in as a string.
func decodeToken(b []byte) (string, time.Duration, error) {
	w, err := parseBody(b)
	if err != nil {
		return "", 0, err
	}
	tok, err := requiredText(w.get("access_token"), "access_token")
	if err != nil {
		return "", 0, err
	}
	s, err := requiredText(w.get("expires_in"), "expires_in")
	if err != nil {
		return "", 0, err
	}
	secs, err := strconv.Atoi(s)
	if err != nil || secs <= 0 {
		return "", 0, fieldErr("expires_in", "not a number of seconds: %s", quote(s))
	}
	return tok, time.Duration(secs) * time.Second, nil
}
