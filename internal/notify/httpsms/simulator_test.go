package httpsms

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSimulatorRequests(t *testing.T) {
	sim := NewSimulator("mteja", "key")
	defer sim.Close()
	tests := []struct {
		name   string
		method string
		path   string
		apiKey string
		ctype  string
		body   string
		status int
		want   string
	}{
		{"wrong path", "POST", "/version1/other", "key", "application/x-www-form-urlencoded", "", 404, "no such endpoint"},
		{"GET", "GET", "/version1/messaging", "key", "", "", 405, "use POST"},
		{"no api key", "POST", "/version1/messaging", "", "application/x-www-form-urlencoded", "username=mteja&to=%2B254711000001&message=hi", 401, "authentication"},
		{"wrong username", "POST", "/version1/messaging", "key", "application/x-www-form-urlencoded", "username=x&to=%2B254711000001&message=hi", 401, "authentication"},
		{"JSON body", "POST", "/version1/messaging", "key", "application/json", `{"username":"mteja"}`, 400, "content type"},
		{"broken form", "POST", "/version1/messaging", "key", "application/x-www-form-urlencoded", "username=mteja&to=%zz", 400, "form body"},
		{"missing fields", "POST", "/version1/messaging", "key", "application/x-www-form-urlencoded", "username=mteja", 400, "missing field(s) to, message"},
		{"two recipients, one invalid", "POST", "/version1/messaging", "key", "application/x-www-form-urlencoded",
			"username=mteja&to=%2B254711000001,0711&message=hi&from=KPLC", 201, `"Sent to 1/2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.apiKey != "" {
				r.Header.Set("apiKey", tt.apiKey)
			}
			w := httptest.NewRecorder()
			sim.ServeHTTP(w, r)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Fatalf("got %d %q, want %d containing %q", w.Code, w.Body.String(), tt.status, tt.want)
			}
		})
	}
	// The mixed request: one accepted, one refused with 403 and id None.
	msgs := sim.Messages()
	if len(msgs) != 2 || msgs[0].StatusCode != StatusSent || msgs[1].StatusCode != StatusInvalidPhoneNumber || msgs[1].MessageID != "None" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestSimulatorReplyShape(t *testing.T) {
	sim := NewSimulator("mteja", "key")
	defer sim.Close()
	r := httptest.NewRequest("POST", "/version1/messaging", strings.NewReader("username=mteja&to=%2B254711000001&message="+strings.Repeat("a", 161)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("apiKey", "key")
	w := httptest.NewRecorder()
	sim.ServeHTTP(w, r)
	var reply sendReply
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
		t.Fatal(err)
	}
	rs := reply.SMSMessageData.Recipients
	if w.Code != http.StatusCreated || len(rs) != 1 || rs[0].StatusCode != 101 || rs[0].Status != "Success" ||
		rs[0].Cost != "KES 1.6000" || !strings.HasPrefix(rs[0].MessageID, "ATXid_") || rs[0].Number != "+254711000001" {
		t.Errorf("reply %d %+v", w.Code, reply)
	}
}
