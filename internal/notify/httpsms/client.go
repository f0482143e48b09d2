// Package httpsms sends SMS through an HTTP gateway in the Africa's
// Talking form (POST /version1/messaging), parses its delivery-report and
// inbound-SMS callbacks, and provides a Simulator of the gateway for tests
// and demos.
package httpsms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Config configures one gateway account (one route).
type Config struct {
	// BaseURL is the gateway's root, e.g. "https://api.example.com"; the
	// client posts to BaseURL + "/version1/messaging". Required.
	BaseURL string
	// Username and APIKey identify the account. Required.
	Username string
	APIKey   string
	// BulkSMSMode is sent as bulkSMSMode. Default 1: sender-ID (not
	// premium short code) messages, billed to us.
	BulkSMSMode int
	// HTTPClient sends the requests. Default: a client with a 30 s timeout.
	HTTPClient *http.Client
}

// WithDefaults returns a copy of c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.BulkSMSMode == 0 {
		c.BulkSMSMode = 1
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

func (c Config) validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("BaseURL %q is not an http(s) URL", c.BaseURL))
	}
	if c.Username == "" {
		errs = append(errs, errors.New("Username is empty"))
	}
	if c.APIKey == "" {
		errs = append(errs, errors.New("APIKey is empty"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("httpsms config: %w", err)
	}
	return nil
}

// Client sends SMS through the gateway. It is safe for concurrent use.
type Client struct {
	cfg   Config
	sent  atomic.Int64
	fails atomic.Int64
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg}, nil
}

// sendReply is the gateway's JSON answer.
type sendReply struct {
	SMSMessageData struct {
		Message    string      `json:"Message"`
		Recipients []recipient `json:"Recipients"`
	} `json:"SMSMessageData"`
}

type recipient struct {
	StatusCode int    `json:"statusCode"`
	Number     string `json:"number"`
	Status     string `json:"status"`
	Cost       string `json:"cost"`
	MessageID  string `json:"messageId"`
}

// Send posts msg to the gateway. The gateway splits long texts itself, so
// the result holds one id for the whole message; Parts is the count it
// bills, computed the same way (GSM 03.38 or UCS-2).
//
// Errors wrap one sms error class: a recipient statusCode of 401-404, 406
// or 409 is ErrPermanent; 405, 407 and 5xx are ErrTemporary; HTTP 401/403
// is ErrBindFailed, 429 ErrThrottled. A request that was written but got
// no readable answer is ErrUnknownOutcome.
func (c *Client) Send(ctx context.Context, msg sms.Message) (sms.SubmitResult, error) {
	res, err := c.send(ctx, msg)
	if err != nil {
		c.fails.Add(1)
		return res, fmt.Errorf("httpsms send %s: %w", msg.ID, err)
	}
	c.sent.Add(1)
	return res, nil
}

func (c *Client) send(ctx context.Context, msg sms.Message) (sms.SubmitResult, error) {
	if !isDigits(msg.To) || len(msg.To) < 6 || len(msg.To) > 15 {
		return sms.SubmitResult{}, fmt.Errorf("recipient %q is not an international number of 6-15 digits without '+': %w", msg.To, sms.ErrPermanent)
	}
	_, parts, err := sms.CountParts(msg.Text)
	if err != nil {
		return sms.SubmitResult{}, fmt.Errorf("%w: %w", err, sms.ErrPermanent)
	}
	form := url.Values{
		"username":    {c.cfg.Username},
		"to":          {"+" + msg.To},
		"message":     {msg.Text},
		"bulkSMSMode": {fmt.Sprint(c.cfg.BulkSMSMode)},
	}
	if msg.From != "" {
		form.Set("from", msg.From)
	}

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost,
		c.cfg.BaseURL+"/version1/messaging", strings.NewReader(form.Encode()))
	if err != nil {
		return sms.SubmitResult{}, fmt.Errorf("build request: %w: %w", err, sms.ErrPermanent)
	}
	req.Header.Set("apiKey", c.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		if wrote.Load() {
			// The gateway may have taken it: do not resend blindly.
			return sms.SubmitResult{}, fmt.Errorf("post messaging (request sent, no answer): %w: %w", err, sms.ErrUnknownOutcome)
		}
		return sms.SubmitResult{}, fmt.Errorf("post messaging: %w: %w", err, sms.ErrTemporary)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return sms.SubmitResult{}, fmt.Errorf("read messaging reply (HTTP %d): %w: %w", resp.StatusCode, err, sms.ErrUnknownOutcome)
	}
	if class := httpClass(resp.StatusCode); class != nil {
		return sms.SubmitResult{}, fmt.Errorf("messaging: HTTP %d: %s: %w", resp.StatusCode, snippet(body), class)
	}

	var reply sendReply
	if err := json.Unmarshal(body, &reply); err != nil {
		return sms.SubmitResult{}, fmt.Errorf("messaging reply (HTTP %d) is not the expected JSON: %w: %s: %w", resp.StatusCode, err, snippet(body), sms.ErrUnknownOutcome)
	}
	rs := reply.SMSMessageData.Recipients
	if len(rs) == 0 {
		// The whole request was refused; the reason is in Message
		// ("InvalidSenderId", "InsufficientBalance", ...).
		m := reply.SMSMessageData.Message
		return sms.SubmitResult{}, fmt.Errorf("messaging refused: %q: %w", m, messageClass(m))
	}
	r := rs[0]
	if class := recipientClass(r.StatusCode); class != nil {
		return sms.SubmitResult{}, fmt.Errorf("recipient %s: %d %s: %w", r.Number, r.StatusCode, r.Status, class)
	}
	if r.MessageID == "" || r.MessageID == "None" {
		return sms.SubmitResult{}, fmt.Errorf("recipient %s accepted (%d) without a messageId: %w", r.Number, r.StatusCode, sms.ErrUnknownOutcome)
	}
	return sms.SubmitResult{ProviderIDs: []string{r.MessageID}, Parts: parts}, nil
}

// Stats returns how many sends succeeded and failed, for metrics.
func (c *Client) Stats() (sent, failed int64) { return c.sent.Load(), c.fails.Load() }

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
