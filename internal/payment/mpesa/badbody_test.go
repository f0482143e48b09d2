package mpesa

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestBadBodies(t *testing.T) {
	t.Parallel()
	huge := `{"TransID":"` + strings.Repeat("A", 10<<20) + `"}`
	c2b := func(s string) error { _, err := DecodeC2B(strings.NewReader(s)); return err }
	c2bv := func(s string) error { _, err := DecodeC2BValidation(strings.NewReader(s)); return err }
	stk := func(s string) error { _, err := DecodeSTKCallback(strings.NewReader(s)); return err }
	status := func(s string) error { _, err := DecodeStatusResult(strings.NewReader(s)); return err }
	good := string(readSample(t, "c2b-confirmation-v1-hashed.json"))
	for _, tc := range []struct {
		name   string
		decode func(string) error
		body   string
		want   string // a piece of the error message
	}{
		{"c2b empty", c2b, "", "body is empty"},
		{"c2b blank", c2b, " \n\t", "body is empty"},
		{"c2b not json", c2b, "TransID=SKL51ZDR4F", "not JSON"},
		{"c2b truncated", c2b, good[:len(good)/2], "not JSON"},
		{"c2b trailing data", c2b, good + "{}", "not JSON"},
		{"c2b null", c2b, "null", "must be a JSON object, got null"},
		{"c2b array", c2b, "[" + good + "]", "got an array"},
		{"c2b 10 MB", c2b, huge, "larger than"},
		{"c2b missing TransID", c2b, strings.Replace(good, `"TransID": "SKL51ZDR4F",`, "", 1), "TransID: missing"},
		{"c2b blank TransID", c2b, strings.Replace(good, `"SKL51ZDR4F"`, `"  "`, 1), "TransID: missing"},
		{"c2b lower-case TransID", c2b, strings.Replace(good, `"SKL51ZDR4F"`, `"skl51zdr4f"`, 1), "TransID: must be 10"},
		{"c2b short TransID", c2b, strings.Replace(good, `"SKL51ZDR4F"`, `"SKL51"`, 1), "TransID: must be 10"},
		{"c2b TransID object", c2b, strings.Replace(good, `"SKL51ZDR4F"`, `{"a":1}`, 1), "TransID: must be a string or a number, got an object"},
		{"c2b fractional amount", c2b, strings.Replace(good, `"500.00"`, `"500.50"`, 1), "TransAmount: must be whole shillings"},
		{"c2b zero amount", c2b, strings.Replace(good, `"500.00"`, `0`, 1), "TransAmount: must be more than zero"},
		{"c2b negative amount", c2b, strings.Replace(good, `"500.00"`, `"-500"`, 1), "TransAmount: must be more than zero"},
		{"c2b amount words", c2b, strings.Replace(good, `"500.00"`, `"five hundred"`, 1), "TransAmount: not an amount"},
		{"c2b amount sub-cent", c2b, strings.Replace(good, `"500.00"`, `500.001`, 1), "TransAmount: not an amount"},
		{"c2b amount bool", c2b, strings.Replace(good, `"500.00"`, `true`, 1), "TransAmount: must be a string or a number, got a boolean"},
		{"c2b missing amount", c2b, strings.Replace(good, `"TransAmount": "500.00",`, "", 1), "TransAmount: missing"},
		{"c2b bad time", c2b, strings.Replace(good, `"20261124061532"`, `"24/11/2026"`, 1), "TransTime: not a yyyyMMddHHmmss"},
		{"c2b impossible date", c2b, strings.Replace(good, `"20261124061532"`, `"20261340061532"`, 1), "TransTime: not a yyyyMMddHHmmss"},
		{"c2b missing short code", c2b, strings.Replace(good, `"BusinessShortCode": "888880",`, "", 1), "BusinessShortCode: missing"},
		{"c2b MSISDN array", c2b, strings.Replace(good, `"MSISDN": "`+hashed149+`"`, `"MSISDN": ["x"]`, 1), "MSISDN: must be a string or a number, got an array"},
		{"c2b validation empty", c2bv, "", "body is empty"},
		{"c2b validation missing TransID", c2bv, `{"TransTime":"20261124061532","BusinessShortCode":"1"}`, "TransID: missing"},

		{"stk empty", stk, "", "body is empty"},
		{"stk no Body", stk, `{"body2":{}}`, "Body: missing"},
		{"stk Body array", stk, `{"Body":[]}`, "Body: must be an object, got an array"},
		{"stk no stkCallback", stk, `{"Body":{}}`, "Body.stkCallback: missing"},
		{"stk missing CheckoutRequestID", stk, `{"Body":{"stkCallback":{"MerchantRequestID":"m","ResultCode":0}}}`, "Body.stkCallback.CheckoutRequestID: missing"},
		{"stk missing ResultCode", stk, `{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c"}}}`, "Body.stkCallback.ResultCode: missing"},
		{"stk word ResultCode", stk, stkCallbackBody(`"zero"`, ""), "ResultCode: not an integer code"},
		{"stk fractional ResultCode", stk, stkCallbackBody(`0.5`, ""), "ResultCode: not an integer code"},
		{"stk success without metadata", stk, stkCallbackBody(`0`, ""), "CallbackMetadata: missing"},
		{"stk metadata string", stk, `{"Body":{"stkCallback":{"MerchantRequestID":"m","CheckoutRequestID":"c","ResultCode":0,"CallbackMetadata":"x"}}}`, "CallbackMetadata: must be an object, got a string"},
		{"stk items string", stk, stkCallbackBody(`0`, `"Amount"`), "CallbackMetadata.Item: must be an array or an object, got a string"},
		{"stk item number", stk, stkCallbackBody(`0`, `[1]`), "CallbackMetadata.Item[0]: must be an object, got a number"},
		{"stk item without Name", stk, stkCallbackBody(`0`, `[{"Value":1}]`), "CallbackMetadata.Item[0].Name: missing"},
		{"stk success without receipt", stk, stkCallbackBody(`0`, `[{"Name":"Amount","Value":1}]`), "MpesaReceiptNumber: missing"},
		{"stk success bad receipt", stk, stkCallbackBody(`0`, `[{"Name":"Amount","Value":1},{"Name":"MpesaReceiptNumber","Value":"x"}]`), "MpesaReceiptNumber: must be 10"},
		{"stk success fractional", stk, stkCallbackBody(`0`, `[{"Name":"Amount","Value":1.5},{"Name":"MpesaReceiptNumber","Value":"SKO2AB3CD4"}]`), "Item.Amount: must be whole"},
		{"stk success no amount", stk, stkCallbackBody(`0`, `[{"Name":"MpesaReceiptNumber","Value":"SKO2AB3CD4"}]`), "Item.Amount: must be whole"},
		{"stk bad date", stk, stkCallbackBody(`0`, `[{"Name":"Amount","Value":1},{"Name":"MpesaReceiptNumber","Value":"SKO2AB3CD4"},{"Name":"TransactionDate","Value":2026}]`), "Item.TransactionDate: not a yyyyMMddHHmmss"},
		{"stk 10 MB", stk, huge, "larger than"},

		{"status empty", status, "", "body is empty"},
		{"status no Result", status, `{"result2":{}}`, "Result: missing"},
		{"status Result string", status, `{"Result":"ok"}`, "Result: must be an object, got a string"},
		{"status missing ResultCode", status, `{"Result":{"ConversationID":"c"}}`, "Result.ResultCode: missing"},
		{"status no ids", status, `{"Result":{"ResultCode":0}}`, "Result.ConversationID and Result.OriginatorConversationID: missing"},
		{"status parameters array", status, `{"Result":{"ResultCode":0,"ConversationID":"c","ResultParameters":[]}}`, "Result.ResultParameters: must be an object"},
		{"status parameter without Key", status, statusBody(`0`, `[{"Value":1}]`, ``), "ResultParameter[0].Key: missing"},
		{"status bad amount", status, statusBody(`0`, `[{"Key":"Amount","Value":"lots"}]`, ``), "ResultParameter.Amount: not an amount"},
		{"status bad time", status, statusBody(`0`, `[{"Key":"FinalisedTime","Value":"soon"}]`, ``), "ResultParameter.FinalisedTime: not a yyyyMMddHHmmss"},
		{"status bad ResultType", status, `{"Result":{"ResultType":"x","ResultCode":0,"ConversationID":"c"}}`, "Result.ResultType: not an integer"},
		{"status reference item string", status, statusBody(`0`, ``, `"Occasion"`), "ReferenceItem: must be an array or an object"},
		{"status 10 MB", status, huge, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.decode(tc.body)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error does not wrap ErrMalformed: %v", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error message is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestFieldErrorNamesTheField(t *testing.T) {
	t.Parallel()
	_, err := DecodeSTKCallback(strings.NewReader(`{"Body":{"stkCallback":{"MerchantRequestID":"m","ResultCode":0}}}`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "Body.stkCallback.CheckoutRequestID" {
		t.Fatalf("got %#v", err)
	}
}

func TestReadBodyLimit(t *testing.T) {
	t.Parallel()
	b, err := ReadBody(bytes.NewReader(make([]byte, MaxBodyBytes)))
	if err != nil || len(b) != MaxBodyBytes {
		t.Errorf("a body of exactly the limit: %d bytes, %v", len(b), err)
	}
	if _, err := ReadBody(bytes.NewReader(make([]byte, MaxBodyBytes+1))); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("one byte over: %v", err)
	}
	if _, err := ReadBody(nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil reader: %v", err)
	}
	if _, err := ReadBody(iotestErrReader{}); err == nil || errors.Is(err, ErrMalformed) {
		t.Errorf("a read failure is not the body's fault: %v", err)
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
