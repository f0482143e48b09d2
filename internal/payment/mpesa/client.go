package mpesa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Daraja's base URLs.
const (
	SandboxURL    = "https://sandbox.safaricom.co.ke"
	ProductionURL = "https://api.safaricom.co.ke"
)

// ErrInvalidRequest is wrapped by errors the client finds before calling
// Daraja (an amount with cents, a reference too long, a refused URL).
var ErrInvalidRequest = errors.New("invalid daraja request")

// defaultHTTP bounds calls when Client.HTTP is nil: Daraja answers in
// seconds or not at all, and a hung call would hold a customer's request.
var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Client calls Daraja for one app (consumer key) and one short code. It is
// safe for concurrent use; create it once per app and share it, because each
// token request invalidates the app's previous token.
type Client struct {
	BaseURL            string // SandboxURL, ProductionURL, or a simulator's URL
	ConsumerKey        string
	ConsumerSecret     string
	ShortCode          string // Paybill or Till short code (BusinessShortCode, PartyA)
	Passkey            string // Lipa na M-Pesa Online passkey, for the STK password
	Initiator          string // API operator user name, for status queries and reversals
	SecurityCredential string // see EncryptInitiatorPassword
	// C2BVersion is "v1" (default) or "v2" for C2B URL registration. v1
	// confirmations carry the payer's number as a SHA-256 digest, which some
	// SMS gateways can still deliver to; v2 sends a mask, which nothing can.
	C2BVersion string
	HTTP       *http.Client     // default: a client with a 30 s timeout
	Now        func() time.Time // default: time.Now; decides token expiry and timestamps

	mu      sync.Mutex // guards token and expires, and serialises refreshes
	token   string
	expires time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

// call POSTs in as JSON to path and returns the reply's fields. An invalid
// token answer makes it drop the token, fetch a new one and try once more:
// tokens die early when another process of the same app asks for one.
func (c *Client) call(ctx context.Context, path string, in any) (fields, error) {
	return c.callExpecting(ctx, path, in, expect{code: "0", limit: MaxBodyBytes})
}

// expect is what a successful reply looks like: its ResponseCode ("0" for
// most of Daraja, "1000" for the Pull API) and how large it may be.
type expect struct {
	code  string
	limit int64
}

// callExpecting is call for an API whose replies differ from the usual.
func (c *Client) callExpecting(ctx context.Context, path string, in any, ok expect) (fields, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		f, err := c.post(ctx, path, tok, body, ok)
		if IsInvalidToken(err) && attempt == 0 {
			c.dropToken(tok)
			continue
		}
		return f, err
	}
}

func (c *Client) post(ctx context.Context, path, token string, body []byte, ok expect) (fields, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(path), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	status, b, err := c.send(req, ok.limit)
	if err != nil {
		return nil, err
	}
	return replyFieldsExpecting(status, b, ok.code)
}

func (c *Client) url(path string) string {
	return strings.TrimRight(c.BaseURL, "/") + path
}

// send does the request and reads a reply of at most limit bytes; a longer
// one is an error rather than a truncated body that fails to parse later.
func (c *Client) send(req *http.Request, limit int64) (int, []byte, error) {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: read reply: %w", req.Method, req.URL.Path, err)
	}
	if int64(len(b)) > limit {
		return 0, nil, fmt.Errorf("%s %s: reply larger than %d bytes", req.Method, req.URL.Path, limit)
	}
	return resp.StatusCode, b, nil
}

// replyFields turns a reply into fields, or into an *APIError when Daraja
// says no: a non-2xx status, an error envelope, or a ResponseCode other
// than "0".
func replyFields(status int, b []byte) (fields, error) { return replyFieldsExpecting(status, b, "0") }

// replyFieldsExpecting is replyFields for an API whose success code is ok.
func replyFieldsExpecting(status int, b []byte, ok string) (fields, error) {
	f, parseErr := parseBody(b)
	if status < 200 || status > 299 || (f != nil && f.get("errorCode") != nil) {
		return nil, decodeAPIError(status, b)
	}
	if parseErr != nil {
		return nil, fmt.Errorf("reply: %w", parseErr)
	}
	if rc, has, _ := scalar(f.get("ResponseCode"), "ResponseCode"); has && strings.TrimSpace(rc) != ok {
		return nil, &APIError{HTTPStatus: status, Code: strings.TrimSpace(rc), Message: f.str("ResponseDescription")}
	}
	return f, nil
}

// AsyncResponse is Daraja's synchronous acceptance of a request whose result
// comes later to the ResultURL (transaction status, reversal). Keep the
// conversation ids: the result is matched to the request by them.
type AsyncResponse struct {
	OriginatorConversationID string
	ConversationID           string
	ResponseCode             string
	ResponseDescription      string
}

func asyncResponse(f fields) AsyncResponse {
	return AsyncResponse{
		OriginatorConversationID: f.str("OriginatorConversationID"),
		ConversationID:           f.str("ConversationID"),
		ResponseCode:             f.str("ResponseCode"),
		ResponseDescription:      f.str("ResponseDescription"),
	}
}
