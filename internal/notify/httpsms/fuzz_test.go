package httpsms

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCallbacks feeds arbitrary form bodies to the delivery-report and
// inbound parsers: an error is fine, a panic is not.
func FuzzCallbacks(f *testing.F) {
	f.Add("id=ATXid_1&status=Success&phoneNumber=%2B254711000000&networkCode=63902")
	f.Add("id=ATXid_2&status=Failed&failureReason=UserInBlackList&retryCount=3")
	f.Add("date=2026-11-25&from=%2B254711000000&id=x&linkId=y&text=TOKEN+54500320905&to=22384&networkCode=63902")
	f.Add("%zz&&==")
	f.Fuzz(func(t *testing.T, body string) {
		ParseDeliveryReport(form(body))
		ParseInbound(form(body))
	})
}

func form(body string) *http.Request {
	r := httptest.NewRequest("POST", "/sms", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
