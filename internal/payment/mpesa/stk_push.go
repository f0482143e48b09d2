package mpesa

import (
	"context"
	"encoding/base64"
	"fmt"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// STK transaction types.
const (
	PayBillOnline  = "CustomerPayBillOnline"  // to a Paybill; PartyB is the short code
	BuyGoodsOnline = "CustomerBuyGoodsOnline" // to a Till; PartyB is the till number
)

// Limits Daraja puts on the text shown in the customer's prompt.
const (
	MaxAccountReference = 12
	MaxDescription      = 13
)

// STKPushRequest asks a customer's phone to approve a payment.
type STKPushRequest struct {
	Phone            string       // any form phone.Normalize accepts
	Amount           money.Amount // whole shillings, more than zero
	AccountReference string       // shown in the prompt; at most 12 characters; NOT echoed in the callback
	Description      string       // TransactionDesc, at most 13 characters
	CallbackURL      string
	TransactionType  string // default PayBillOnline
	PartyB           string // default the client's ShortCode; the till number for BuyGoodsOnline
}

// STKPushResponse is Daraja's acceptance of a push. Store CheckoutRequestID
// before anything else: the callback and the STK query are matched on it.
type STKPushResponse struct {
	MerchantRequestID   string
	CheckoutRequestID   string
	ResponseCode        string
	ResponseDescription string
	CustomerMessage     string
}

// STKPassword is Daraja's STK password: base64(shortCode + passkey +
// timestamp), with the same timestamp as the request body.
func STKPassword(shortCode, passkey, timestamp string) string {
	return base64.StdEncoding.EncodeToString([]byte(shortCode + passkey + timestamp))
}

// STKPush sends a payment prompt to the customer's phone. The result arrives
// later at CallbackURL (see DecodeSTKCallback), or never: poll with STKQuery.
// Never repeat a push for the same customer and amount within two minutes
// (M-Pesa answers STKDuplicate).
func (c *Client) STKPush(ctx context.Context, r STKPushRequest) (STKPushResponse, error) {
	body, err := c.stkPushBody(r)
	if err != nil {
		return STKPushResponse{}, fmt.Errorf("stk push: %w", err)
	}
	f, err := c.call(ctx, "/mpesa/stkpush/v1/processrequest", body)
	if err != nil {
		return STKPushResponse{}, fmt.Errorf("stk push: %w", err)
	}
	resp := STKPushResponse{
		MerchantRequestID:   f.str("MerchantRequestID"),
		CheckoutRequestID:   f.str("CheckoutRequestID"),
		ResponseCode:        f.str("ResponseCode"),
		ResponseDescription: f.str("ResponseDescription"),
		CustomerMessage:     f.str("CustomerMessage"),
	}
	if resp.CheckoutRequestID == "" {
		return STKPushResponse{}, fmt.Errorf("stk push: %w", missing("CheckoutRequestID"))
	}
	return resp, nil
}

// stkPushWire is the request body, field for field as Daraja names it.
type stkPushWire struct {
	BusinessShortCode string
	Password          string
	Timestamp         string
	TransactionType   string
	Amount            int64
	PartyA            string
	PartyB            string
	PhoneNumber       string
	CallBackURL       string
	AccountReference  string
	TransactionDesc   string
}

func (c *Client) stkPushBody(r STKPushRequest) (stkPushWire, error) {
	msisdn, err := phone.Normalize(r.Phone)
	if err != nil {
		return stkPushWire{}, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	if r.Amount <= 0 || !r.Amount.IsWhole() {
		return stkPushWire{}, fmt.Errorf("%w: amount must be whole shillings more than zero, got %s", ErrInvalidRequest, r.Amount.Plain())
	}
	if n := utf8.RuneCountInString(r.AccountReference); n == 0 || n > MaxAccountReference {
		return stkPushWire{}, fmt.Errorf("%w: account reference must be 1 to %d characters, got %d", ErrInvalidRequest, MaxAccountReference, n)
	}
	if n := utf8.RuneCountInString(r.Description); n == 0 || n > MaxDescription {
		return stkPushWire{}, fmt.Errorf("%w: description must be 1 to %d characters, got %d", ErrInvalidRequest, MaxDescription, n)
	}
	if r.CallbackURL == "" {
		return stkPushWire{}, fmt.Errorf("%w: no callback url", ErrInvalidRequest)
	}
	typ := r.TransactionType
	if typ == "" {
		typ = PayBillOnline
	}
	if typ != PayBillOnline && typ != BuyGoodsOnline {
		return stkPushWire{}, fmt.Errorf("%w: transaction type %s", ErrInvalidRequest, quote(typ))
	}
	partyB := r.PartyB
	if partyB == "" {
		partyB = c.ShortCode
	}
	ts := Timestamp(c.now())
	return stkPushWire{
		BusinessShortCode: c.ShortCode,
		Password:          STKPassword(c.ShortCode, c.Passkey, ts),
		Timestamp:         ts,
		TransactionType:   typ,
		Amount:            r.Amount.Major(),
		PartyA:            msisdn,
		PartyB:            partyB,
		PhoneNumber:       msisdn,
		CallBackURL:       r.CallbackURL,
		AccountReference:  r.AccountReference,
		TransactionDesc:   r.Description,
	}, nil
}
