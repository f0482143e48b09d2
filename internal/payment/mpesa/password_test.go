package mpesa

import (
	"encoding/json"
	"testing"
	"time"
)

// sandboxPasskey is Safaricom's published passkey for the sandbox short code
// 174379.
const sandboxPasskey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"

func TestSTKPasswordMatchesSample(t *testing.T) {
	t.Parallel()
	var sample struct{ BusinessShortCode, Password, Timestamp string }
	if err := json.Unmarshal(readSample(t, "stk-push-request.json"), &sample); err != nil {
		t.Fatal(err)
	}
	if got := STKPassword(sample.BusinessShortCode, sandboxPasskey, sample.Timestamp); got != sample.Password {
		t.Errorf("STKPassword = %s, want %s", got, sample.Password)
	}
	if got := STKPassword(sample.BusinessShortCode, sandboxPasskey, "20261124061533"); got == sample.Password {
		t.Error("the password ignores the timestamp")
	}
}

func TestTimestampIsEAT(t *testing.T) {
	t.Parallel()
	if got := Timestamp(sampleTime); got != "20261124061532" {
		t.Errorf("Timestamp = %s", got)
	}
	at := time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC)
	if got := Timestamp(at); got != "20270101013000" {
		t.Errorf("Timestamp across midnight = %s", got)
	}
}
