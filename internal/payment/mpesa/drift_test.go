package mpesa

import (
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// c2bBody is a confirmation with the amount (and TransTime) spliced in as
// raw JSON, so each form Daraja has used can be tried.
func c2bBody(amount, transTime string) string {
	return `{"TransactionType":"Pay Bill","TransID":"SKL51ZDR4F","TransTime":` + transTime +
		`,"TransAmount":` + amount + `,"BusinessShortCode":600638,"BillRefNumber":54500320905,` +
		`"MSISDN":"2547 ***** 149","FirstName":"JOHN","MiddleName":null}`
}

func TestDecodeC2BAmountForms(t *testing.T) {
	t.Parallel()
	for _, amount := range []string{`"500.00"`, `"500"`, `500`, `500.0`, `5e2`, `5.00E+2`, `"500.00 "`, `"1,000.00"`} {
		t.Run(amount, func(t *testing.T) {
			t.Parallel()
			c, err := DecodeC2B(strings.NewReader(c2bBody(amount, `"20261124061532"`)))
			if err != nil {
				t.Fatal(err)
			}
			want := money.MustFromMajor(500)
			if amount == `"1,000.00"` {
				want = money.MustFromMajor(1000)
			}
			if c.Amount != want {
				t.Errorf("Amount = %s, want %s", c.Amount.Plain(), want.Plain())
			}
			if c.ShortCode != "600638" || c.BillRef != "54500320905" {
				t.Errorf("numeric text fields: ShortCode %q BillRef %q", c.ShortCode, c.BillRef)
			}
			if !c.TransTime.Equal(sampleTime) {
				t.Errorf("TransTime = %v", c.TransTime)
			}
		})
	}
}

func TestDecodeC2BTimeForms(t *testing.T) {
	t.Parallel()
	for _, ts := range []string{`"20261124061532"`, `20261124061532`, `"2026-11-24 06:15:32"`} {
		c, err := DecodeC2B(strings.NewReader(c2bBody(`"500.00"`, ts)))
		if err != nil {
			t.Fatalf("%s: %v", ts, err)
		}
		if !c.TransTime.Equal(sampleTime) || c.TransTime.Location() != time.UTC {
			t.Errorf("%s: TransTime = %v", ts, c.TransTime)
		}
	}
}

func TestPlainMSISDN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		msisdn, want string
		ok           bool
	}{
		{"254708374149", "254708374149", true},
		{"0708374149", "254708374149", true},
		{hashed149, "", false},
		{"2547 ***** 149", "", false},
		{"", "", false},
	} {
		got, ok := C2B{MSISDN: tc.msisdn}.PlainMSISDN()
		if got != tc.want || ok != tc.ok {
			t.Errorf("PlainMSISDN(%q) = %q, %v", tc.msisdn, got, ok)
		}
	}
}

func TestDecodeC2BValidationKeepsBadAmounts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount string
		want   money.Amount
	}{
		{`"10.50"`, 1050},
		{`0`, 0},
		{`"-5"`, -500},
		{`"ten"`, 0},
		{`null`, 0},
	} {
		c, err := DecodeC2BValidation(strings.NewReader(c2bBody(tc.amount, `"20261124061532"`)))
		if err != nil {
			t.Fatalf("%s: %v", tc.amount, err)
		}
		if c.Amount != tc.want {
			t.Errorf("%s: Amount = %d, want %d", tc.amount, c.Amount, tc.want)
		}
		if err := c.CheckAmount(); err == nil {
			t.Errorf("%s: CheckAmount accepted it", tc.amount)
		}
	}
}

func stkCallbackBody(resultCode, items string) string {
	meta := ""
	if items != "" {
		meta = `,"CallbackMetadata":{"Item":` + items + `}`
	}
	return `{"Body":{"stkCallback":{"MerchantRequestID":"1-2-3","CheckoutRequestID":"ws_CO_1",` +
		`"ResultCode":` + resultCode + `,"ResultDesc":"ok"` + meta + `}}}`
}

func TestDecodeSTKCallbackForms(t *testing.T) {
	t.Parallel()
	const receipt = `{"Name":"MpesaReceiptNumber","Value":"SKO2AB3CD4"}`
	for _, tc := range []struct {
		name, code, items string
		wantCode          int
		wantAmount        money.Amount
		wantPhone         string
		wantDate          time.Time
	}{
		{"code as string", `"0"`, `[{"Name":"Amount","Value":"500"},` + receipt + `]`, 0, 50000, "", time.Time{}},
		{"code as float", `0.0`, `[{"Name":"Amount","Value":1.00},` + receipt + `]`, 0, 100, "", time.Time{}},
		{"amount integer", `0`, `[{"Name":"Amount","Value":1},` + receipt + `]`, 0, 100, "", time.Time{}},
		{"failure code as string", `"1032"`, ``, STKCancelled, 0, "", time.Time{}},
		{"phone and date as strings", `0`, `[` + receipt + `,{"Name":"Amount","Value":10},{"Name":"PhoneNumber","Value":"0708374149"},{"Name":"TransactionDate","Value":"20261124061532"}]`, 0, 1000, "254708374149", sampleTime},
		{"phone in exponent form", `0`, `[` + receipt + `,{"Name":"Amount","Value":10},{"Name":"PhoneNumber","Value":2.54708374149e+11}]`, 0, 1000, "254708374149", time.Time{}},
		{"unknown and valueless items", `0`, `[{"Name":"Balance"},{"Name":"Extra","Value":{"a":1}},{"Name":"Amount","Value":5},` + receipt + `,{"Name":"TransactionDate"}]`, 0, 500, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := DecodeSTKCallback(strings.NewReader(stkCallbackBody(tc.code, tc.items)))
			if err != nil {
				t.Fatal(err)
			}
			if c.ResultCode != tc.wantCode || c.Amount != tc.wantAmount || c.Phone != tc.wantPhone || !c.TransactionDate.Equal(tc.wantDate) {
				t.Errorf("got %+v", c)
			}
			if c.Succeeded() != (tc.wantCode == 0) {
				t.Errorf("Succeeded = %v", c.Succeeded())
			}
		})
	}
	// A lone item object stands for a one-item list.
	c, err := DecodeSTKCallback(strings.NewReader(stkCallbackBody(`1`, `{"Name":"PhoneNumber","Value":254708374149}`)))
	if err != nil || c.Phone != "254708374149" {
		t.Errorf("single object item list: %+v, %v", c, err)
	}
}

func statusBody(code, params, refs string) string {
	s := `{"Result":{"ResultType":"0","ResultCode":` + code + `,"ResultDesc":"d","OriginatorConversationID":"o","ConversationID":"c","TransactionID":"SKL51ZDR4F"`
	if params != "" {
		s += `,"ResultParameters":{"ResultParameter":` + params + `}`
	}
	if refs != "" {
		s += `,"ReferenceData":{"ReferenceItem":` + refs + `}`
	}
	return s + `}}`
}

func TestDecodeStatusResultForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code, params, refs string
		wantCode                 string
		wantAmount               money.Amount
		wantRefs                 int
	}{
		{"code number", `0`, `[{"Key":"Amount","Value":500}]`, ``, "0", 50000, 0},
		{"code string", `"0"`, `[{"Key":"Amount","Value":"500.00"}]`, ``, "0", 50000, 0},
		{"code R000002", `"R000002"`, ``, `{"Key":"Occasion","Value":""}`, "R000002", 0, 1},
		{"code R000001 padded", `" R000001 "`, ``, `[{"Key":"Occasion"},{"Key":"QueueTimeoutURL","Value":"u"}]`, "R000001", 0, 2},
		{"single parameter object", `0`, `{"Key":"Amount","Value":1.5}`, ``, "0", 150, 0},
		{"code 1 float", `1.0`, ``, ``, "1", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := DecodeStatusResult(strings.NewReader(statusBody(tc.code, tc.params, tc.refs)))
			if err != nil {
				t.Fatal(err)
			}
			if r.ResultCode != tc.wantCode || r.Amount != tc.wantAmount || len(r.References) != tc.wantRefs {
				t.Errorf("got %+v", r)
			}
			if r.NotFound() != (tc.wantCode == ResultInvalidTransaction) || r.Succeeded() != (tc.wantCode == "0") {
				t.Errorf("NotFound %v Succeeded %v for %q", r.NotFound(), r.Succeeded(), tc.wantCode)
			}
		})
	}
}

func TestStatusResultHelpers(t *testing.T) {
	t.Parallel()
	r, err := DecodeStatusResult(strings.NewReader(string(readSample(t, "status-result-completed.json"))))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Completed() || r.NotFound() {
		t.Errorf("completed sample: Completed %v NotFound %v", r.Completed(), r.NotFound())
	}
	r, err = DecodeStatusResult(strings.NewReader(string(readSample(t, "status-result-not-found.json"))))
	if err != nil {
		t.Fatal(err)
	}
	if r.Completed() || !r.NotFound() {
		t.Errorf("not-found sample: Completed %v NotFound %v", r.Completed(), r.NotFound())
	}
}

func TestPlainNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"500": "500", "500.0": "500.0", "5e2": "500", "5.5E1": "55", "1.5e-1": "0.15",
		"2.54708374149e+11": "254708374149", "-1e2": "-100", "0e5": "0", "12.3400e1": "123.4",
	} {
		got, err := plainNumber(in)
		if err != nil || got != want {
			t.Errorf("plainNumber(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := plainNumber("1e999999999"); err == nil {
		t.Error("a huge exponent was accepted")
	}
}
