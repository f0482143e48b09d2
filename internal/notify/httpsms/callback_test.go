package httpsms

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

func formRequest(method, body string) *http.Request {
	r := httptest.NewRequest(method, "/sms/callback", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParseDeliveryReport(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		state   sms.State
		errCode string
	}{
		{"success", "id=ATXid_1&status=Success&phoneNumber=%2B254711000001&networkCode=63902&retryCount=0", sms.StateDelivered, ""},
		{"failed with reason", "id=ATXid_1&status=Failed&failureReason=UserDoesNotExist", sms.StateUndeliverable, "UserDoesNotExist"},
		{"rejected", "id=ATXid_1&status=Rejected&failureReason=UserInBlackList", sms.StateRejected, "UserInBlackList"},
		{"absent subscriber", "id=ATXid_1&status=AbsentSubscriber", sms.StateUndeliverable, ""},
		{"expired", "id=ATXid_1&status=Expired", sms.StateExpired, ""},
		{"buffered is not final", "id=ATXid_1&status=Buffered", sms.StateEnroute, ""},
		{"submitted", "id=ATXid_1&status=Submitted", sms.StateEnroute, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := ParseDeliveryReport(formRequest("POST", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if rc.ProviderID != "ATXid_1" || rc.State != tt.state || rc.ErrCode != tt.errCode || rc.Raw == "" || rc.At.IsZero() {
				t.Errorf("receipt = %+v", rc)
			}
		})
	}
}

func TestParseCallbackErrors(t *testing.T) {
	tests := []struct {
		name  string
		req   func() *http.Request
		parse string // report or inbound
		want  string
	}{
		{"report missing id", func() *http.Request { return formRequest("POST", "status=Success") }, "report", "field id is missing"},
		{"report missing status", func() *http.Request { return formRequest("POST", "id=A") }, "report", "field status is missing"},
		{"report unknown status", func() *http.Request { return formRequest("POST", "id=A&status=Teleported") }, "report", `unknown status "Teleported"`},
		{"report by GET", func() *http.Request { return formRequest("GET", "") }, "report", "method GET, want POST"},
		{"report as JSON", func() *http.Request {
			r := formRequest("POST", `{"id":"A"}`)
			r.Header.Set("Content-Type", "application/json")
			return r
		}, "report", `content type "application/json"`},
		{"report with broken encoding", func() *http.Request { return formRequest("POST", "id=%zz&status=Success") }, "report", "form body"},
		{"report too large", func() *http.Request { return formRequest("POST", "id=A&status=Success&x="+strings.Repeat("a", 70000)) }, "report", "form body"},
		{"inbound missing from", func() *http.Request { return formRequest("POST", "text=hi&to=22333") }, "inbound", "field from is missing"},
		{"inbound missing text", func() *http.Request { return formRequest("POST", "from=%2B254711000001") }, "inbound", "field text is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.parse == "report" {
				_, err = ParseDeliveryReport(tt.req())
			} else {
				_, err = ParseInbound(tt.req())
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseInbound(t *testing.T) {
	tests := []struct {
		name string
		body string
		at   time.Time
	}{
		{"space date", "date=2024-11-22+14%3A31%3A07&from=%2B254711000001&id=abc&linkId=L1&text=BAL+0123&to=22333&networkCode=63902", time.Date(2024, 11, 22, 14, 31, 7, 0, time.UTC)},
		{"ISO date", "date=2024-11-22T14%3A31%3A07.000Z&from=%2B254711000001&id=abc&text=BAL+0123&to=22333", time.Date(2024, 11, 22, 14, 31, 7, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInbound(formRequest("POST", tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if in.From != "254711000001" || in.To != "22333" || in.Text != "BAL 0123" || in.ProviderID != "abc" || !in.At.Equal(tt.at) {
				t.Errorf("inbound = %+v", in)
			}
		})
	}
	// An unreadable date keeps the message, stamped now.
	in, err := ParseInbound(formRequest("POST", "date=yesterday&from=254711000001&text="))
	if err != nil || in.At.IsZero() || in.Text != "" {
		t.Errorf("inbound = %+v, %v", in, err)
	}
}
