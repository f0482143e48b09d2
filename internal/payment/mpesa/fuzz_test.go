package mpesa

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds feeds every sample whose name starts with prefix, plus bodies that
// have broken decoders elsewhere.
func addSeeds(f *testing.F, prefix string) {
	files, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "null", "{}", "[]", `{"Body":{"stkCallback":null}}`, `{"Result":{"ResultParameters":{"ResultParameter":{}}}}`,
		`{"TransAmount":1e999999}`, `{"TransAmount":-0.0e-0}`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
}

// checkDecodeErr: every failure must be the body's fault, so handlers can
// answer 4xx.
func checkDecodeErr(t *testing.T, err error) {
	if err != nil && !errors.Is(err, ErrMalformed) {
		t.Fatalf("error not wrapping ErrMalformed: %v", err)
	}
}

func FuzzDecodeC2B(f *testing.F) {
	addSeeds(f, "c2b-")
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeC2B(bytes.NewReader(b))
		checkDecodeErr(t, err)
		if err == nil {
			if !isReceipt(c.TransID) || c.TransTime.IsZero() || c.ShortCode == "" || c.CheckAmount() != nil {
				t.Fatalf("accepted an unusable confirmation: %+v", c)
			}
		}
		v, verr := DecodeC2BValidation(bytes.NewReader(b))
		checkDecodeErr(t, verr)
		if err == nil && (verr != nil || v != c) {
			t.Fatalf("validation decoder disagrees: %+v, %v", v, verr)
		}
	})
}

func FuzzDecodeSTKCallback(f *testing.F) {
	addSeeds(f, "stk-callback-")
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeSTKCallback(bytes.NewReader(b))
		checkDecodeErr(t, err)
		if err != nil {
			return
		}
		if c.CheckoutRequestID == "" || c.MerchantRequestID == "" {
			t.Fatalf("accepted a callback without ids: %+v", c)
		}
		if c.Succeeded() && (!isReceipt(c.Receipt) || c.Amount <= 0 || !c.Amount.IsWhole()) {
			t.Fatalf("accepted an unusable success: %+v", c)
		}
	})
}

func FuzzDecodeStatusResult(f *testing.F) {
	addSeeds(f, "status-result-")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeStatusResult(bytes.NewReader(b))
		checkDecodeErr(t, err)
		if err != nil {
			return
		}
		if r.ResultCode == "" || strings.TrimSpace(r.ResultCode) != r.ResultCode {
			t.Fatalf("result code %q", r.ResultCode)
		}
		if r.ConversationID == "" && r.OriginatorConversationID == "" {
			t.Fatal("accepted a result without ids")
		}
	})
}

func FuzzDecodePullPage(f *testing.F) {
	addSeeds(f, "pull-")
	f.Add([]byte(`{"ResponseCode":"1000","Response":[[{"transactionId":"OHR4GAU4GQ","trxDate":"2020-08-27T11:27:31Z","msisdn":254722000000,"amount":"10"}]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := parseBody(b)
		if err != nil {
			return
		}
		page, err := decodePullPage(fs)
		checkDecodeErr(t, err)
		for _, tx := range page.Transactions {
			if !isReceipt(tx.TransactionID) || tx.Amount <= 0 || tx.Time.IsZero() {
				t.Fatalf("transaction %+v", tx)
			}
		}
	})
}
