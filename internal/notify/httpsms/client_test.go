package httpsms

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

type testBundle struct {
	sim      *Simulator
	gateway  *httptest.Server
	client   *Client
	receipts chan sms.Receipt
}

// setup runs a Simulator and a callback endpoint that parses its delivery
// reports with ParseDeliveryReport.
func setup(t *testing.T) *testBundle {
	t.Helper()
	tb := &testBundle{sim: NewSimulator("mteja", "key-123"), receipts: make(chan sms.Receipt, 10)}
	tb.gateway = httptest.NewServer(tb.sim)
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, err := ParseDeliveryReport(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		tb.receipts <- rc
	}))
	tb.sim.SetCallback(callback.URL+"/sms/report", 10*time.Millisecond)
	t.Cleanup(func() {
		tb.gateway.Close()
		tb.sim.Close()
		callback.Close()
		for _, err := range tb.sim.ReportErrors() {
			t.Errorf("simulator: %v", err)
		}
	})
	c, err := New(Config{BaseURL: tb.gateway.URL, Username: "mteja", APIKey: "key-123"})
	if err != nil {
		t.Fatal(err)
	}
	tb.client = c
	return tb
}

func (tb *testBundle) receipt(t *testing.T) sms.Receipt {
	t.Helper()
	select {
	case rc := <-tb.receipts:
		return rc
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery report arrived")
		return sms.Receipt{}
	}
}

func TestSendEndToEnd(t *testing.T) {
	tb := setup(t)
	tb.sim.SetOutcome("99", "Failed", "UserDoesNotExist")
	tests := []struct {
		name    string
		msg     sms.Message
		parts   int
		state   sms.State
		errCode string
	}{
		{"delivered", sms.Message{ID: "1", To: "254711000001", From: "KPLC", Text: "Tokeni: 1234 5678 9012 3456 7890"}, 1, sms.StateDelivered, ""},
		{"failed report", sms.Message{ID: "2", To: "254711000099", From: "KPLC", Text: "Habari"}, 1, sms.StateUndeliverable, "UserDoesNotExist"},
		{"long unicode, default sender", sms.Message{ID: "3", To: "254711000003", Text: strings.Repeat("Asante 🙏 ", 10)}, 2, sms.StateDelivered, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tb.client.Send(context.Background(), tt.msg)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if len(res.ProviderIDs) != 1 || !strings.HasPrefix(res.ProviderIDs[0], "ATXid_") || res.Parts != tt.parts {
				t.Fatalf("result = %+v, want one ATXid_ id and %d parts", res, tt.parts)
			}
			msgs := tb.sim.Messages()
			got := msgs[len(msgs)-1]
			if got.To != "+"+tt.msg.To || got.From != tt.msg.From || got.Text != tt.msg.Text || got.BulkSMSMode != "1" || got.MessageID != res.ProviderIDs[0] {
				t.Errorf("gateway saw %+v", got)
			}
			rc := tb.receipt(t)
			if rc.ProviderID != res.ProviderIDs[0] || rc.State != tt.state || rc.ErrCode != tt.errCode {
				t.Errorf("receipt = %+v, want id %s state %v err %q", rc, res.ProviderIDs[0], tt.state, tt.errCode)
			}
		})
	}
}

func TestSendErrorClasses(t *testing.T) {
	tb := setup(t)
	msg := sms.Message{ID: "x", To: "254711000001", From: "KPLC", Text: "hi"}
	tests := []struct {
		name    string
		arrange func(*Config)
		want    error
		mention string
	}{
		{"risk hold", func(*Config) { tb.sim.FailNext(StatusRiskHold, 1) }, sms.ErrPermanent, "401 RiskHold"},
		{"invalid phone", func(*Config) { tb.sim.FailNext(StatusInvalidPhoneNumber, 1) }, sms.ErrPermanent, "InvalidPhoneNumber"},
		{"blacklisted", func(*Config) { tb.sim.FailNext(StatusUserInBlacklist, 1) }, sms.ErrPermanent, "406"},
		{"do not disturb", func(*Config) { tb.sim.FailNext(StatusDoNotDisturbRejection, 1) }, sms.ErrPermanent, "409"},
		{"insufficient balance", func(*Config) { tb.sim.FailNext(StatusInsufficientBalance, 1) }, sms.ErrTemporary, "InsufficientBalance"},
		{"could not route", func(*Config) { tb.sim.FailNext(StatusCouldNotRoute, 1) }, sms.ErrTemporary, "407"},
		{"gateway error", func(*Config) { tb.sim.FailNext(StatusGatewayError, 1) }, sms.ErrTemporary, "501"},
		{"rejected by gateway", func(*Config) { tb.sim.FailNext(StatusRejectedByGateway, 1) }, sms.ErrTemporary, "502"},
		{"HTTP 500", func(*Config) { tb.sim.FailHTTP(500, 1) }, sms.ErrTemporary, "HTTP 500"},
		{"HTTP 429", func(*Config) { tb.sim.FailHTTP(429, 1) }, sms.ErrThrottled, "HTTP 429"},
		{"HTTP 504", func(*Config) { tb.sim.FailHTTP(504, 1) }, sms.ErrUnknownOutcome, "HTTP 504"},
		{"wrong api key", func(c *Config) { c.APIKey = "nope" }, sms.ErrBindFailed, "authentication is invalid"},
		{"wrong username", func(c *Config) { c.Username = "other" }, sms.ErrBindFailed, "HTTP 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{BaseURL: tb.gateway.URL, Username: "mteja", APIKey: "key-123"}
			tt.arrange(&cfg)
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Send(context.Background(), msg)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.mention)
			}
		})
	}
}

// sender is the shape the notify routing calls.
type sender interface {
	Send(context.Context, sms.Message) (sms.SubmitResult, error)
}

var _ sender = (*Client)(nil)

func TestSendUnknownOutcome(t *testing.T) {
	tb := setup(t)
	msg := sms.Message{ID: "x", To: "254711000001", From: "KPLC", Text: "hi"}

	// The request went out and the answer never came.
	tb.sim.SetLatency(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := tb.client.Send(ctx, msg); !errors.Is(err, sms.ErrUnknownOutcome) {
		t.Errorf("slow gateway: err = %v, want ErrUnknownOutcome", err)
	}
	tb.sim.SetLatency(0)

	// A 2xx that is not the JSON we know: it may have been sent.
	garbled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("<html>ok</html>"))
	}))
	defer garbled.Close()
	c, _ := New(Config{BaseURL: garbled.URL, Username: "u", APIKey: "k"})
	if _, err := c.Send(context.Background(), msg); !errors.Is(err, sms.ErrUnknownOutcome) || !strings.Contains(err.Error(), "not the expected JSON") {
		t.Errorf("garbled reply: err = %v", err)
	}

	// Nothing listens: the request never left, safe to retry.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c, _ = New(Config{BaseURL: closed.URL, Username: "u", APIKey: "k"})
	if _, err := c.Send(context.Background(), msg); !errors.Is(err, sms.ErrTemporary) {
		t.Errorf("unreachable gateway: err = %v, want ErrTemporary", err)
	}
}

func TestSendRejectsBadMessages(t *testing.T) {
	tb := setup(t)
	tests := []struct {
		name string
		msg  sms.Message
		want string
	}{
		{"plus in number", sms.Message{To: "+254711000001", Text: "x"}, "recipient"},
		{"empty text", sms.Message{To: "254711000001"}, "empty"},
	}
	for _, tt := range tests {
		_, err := tb.client.Send(context.Background(), tt.msg)
		if !errors.Is(err, sms.ErrPermanent) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	if n := len(tb.sim.Messages()); n != 0 {
		t.Errorf("gateway got %d messages", n)
	}
}

func TestConfigValidation(t *testing.T) {
	_, err := New(Config{BaseURL: "ftp://x", Username: "", APIKey: ""})
	for _, want := range []string{"BaseURL", "Username", "APIKey"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %s", err, want)
		}
	}
}
