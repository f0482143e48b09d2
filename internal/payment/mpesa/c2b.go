package mpesa

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// C2B is a Paybill or Till payment as M-Pesa posts it to the validation and
// confirmation URLs. Field names are ours; the Daraja name is noted where it
// differs.
type C2B struct {
	TransactionType   string       // "Pay Bill", "Buy Goods", "" (sandbox) or "CustomerPayBillOnline" (old)
	TransID           string       // the M-Pesa receipt: 10 characters, unique, the idempotency key
	TransTime         time.Time    // UTC; Daraja sends EAT without a zone
	Amount            money.Amount // TransAmount
	ShortCode         string       // BusinessShortCode
	BillRef           string       // BillRefNumber, exactly as the customer typed it
	InvoiceNumber     string
	OrgAccountBalance string // empty in the validation call
	ThirdPartyTransID string // what our validation reply set, echoed in the confirmation
	MSISDN            string // a SHA-256 hex digest (v1), a mask (v2) or, in the sandbox, a number
	FirstName         string
	MiddleName        string
	LastName          string
}

// PlainMSISDN returns the payer's number when the payload carries a usable
// one (sandbox and old payloads); hashed and masked forms give false.
func (c C2B) PlainMSISDN() (string, bool) {
	if phone.IsHash(c.MSISDN) || phone.IsMasked(c.MSISDN) {
		return "", false
	}
	n, err := phone.Normalize(c.MSISDN)
	return n, err == nil
}

// CheckAmount reports whether the amount is one M-Pesa C2B can carry: whole
// shillings, more than zero. A validation handler rejects the payment with
// C2B00013 when it fails.
func (c C2B) CheckAmount() error {
	switch {
	case c.Amount <= 0:
		return fieldErr("TransAmount", "must be more than zero, got %s", c.Amount.Plain())
	case !c.Amount.IsWhole():
		return fieldErr("TransAmount", "must be whole shillings, got %s", c.Amount.Plain())
	}
	return nil
}

// DecodeC2B decodes a C2B confirmation. The money has moved already, so only
// what processing truly needs is required: a well-formed TransID, TransTime,
// BusinessShortCode and a whole, positive TransAmount. Every error wraps
// ErrMalformed and names the field.
func DecodeC2B(r io.Reader) (C2B, error) {
	c, amountErr, err := decodeC2B(r)
	if err == nil {
		err = amountErr
	}
	if err == nil {
		err = c.CheckAmount()
	}
	if err != nil {
		return C2B{}, fmt.Errorf("decode c2b confirmation: %w", err)
	}
	return c, nil
}

// DecodeC2BValidation decodes a C2B validation request. Unlike DecodeC2B it
// does not judge the amount: a missing, unreadable, fractional or zero amount
// comes back as is (zero when unreadable) so that the handler answers with
// Reject(C2B00013) after c.CheckAmount() instead of failing the request.
func DecodeC2BValidation(r io.Reader) (C2B, error) {
	c, _, err := decodeC2B(r)
	if err != nil {
		return C2B{}, fmt.Errorf("decode c2b validation: %w", err)
	}
	return c, nil
}

// decodeC2B returns the amount's problem apart from the body's, because only
// the confirmation treats it as fatal.
func decodeC2B(r io.Reader) (c C2B, amountErr, err error) {
	b, err := ReadBody(r)
	if err != nil {
		return C2B{}, nil, err
	}
	w, err := parseBody(b)
	if err != nil {
		return C2B{}, nil, err
	}
	if c.TransID, err = requiredText(w.get("TransID"), "TransID"); err != nil {
		return C2B{}, nil, err
	}
	if !isReceipt(c.TransID) {
		return C2B{}, nil, fieldErr("TransID", "must be 10 upper-case letters and digits, got %s", quote(c.TransID))
	}
	ts, err := requiredText(w.get("TransTime"), "TransTime")
	if err != nil {
		return C2B{}, nil, err
	}
	if c.TransTime, err = parseEAT(ts, "TransTime"); err != nil {
		return C2B{}, nil, err
	}
	if c.ShortCode, err = requiredText(w.get("BusinessShortCode"), "BusinessShortCode"); err != nil {
		return C2B{}, nil, err
	}
	a, ok, aerr := amount(w.get("TransAmount"), "TransAmount")
	switch {
	case aerr != nil:
		amountErr = aerr
	case !ok:
		amountErr = missing("TransAmount")
	default:
		c.Amount = a
	}
	for _, f := range []struct {
		dst  *string
		name string
	}{
		{&c.TransactionType, "TransactionType"},
		{&c.BillRef, "BillRefNumber"},
		{&c.InvoiceNumber, "InvoiceNumber"},
		{&c.OrgAccountBalance, "OrgAccountBalance"},
		{&c.ThirdPartyTransID, "ThirdPartyTransID"},
		{&c.MSISDN, "MSISDN"},
		{&c.FirstName, "FirstName"},
		{&c.MiddleName, "MiddleName"},
		{&c.LastName, "LastName"},
	} {
		if *f.dst, err = text(w.get(f.name), f.name); err != nil {
			return C2B{}, nil, err
		}
	}
	c.TransactionType = strings.TrimSpace(c.TransactionType)
	c.MSISDN = strings.TrimSpace(c.MSISDN)
	return c, amountErr, nil
}

// isReceipt reports whether s has the shape of an M-Pesa receipt code.
func isReceipt(s string) bool {
	if len(s) != 10 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
