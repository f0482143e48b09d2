package mpesa

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// STKCallback is the result of an STK push as Daraja posts it to CallBackURL.
// AccountReference is not echoed: correlate on CheckoutRequestID, stored
// when the push was sent. Amount, Receipt, TransactionDate and Phone are set
// only on success.
type STKCallback struct {
	MerchantRequestID string
	CheckoutRequestID string
	ResultCode        int
	ResultDesc        string
	Amount            money.Amount
	Receipt           string    // MpesaReceiptNumber
	TransactionDate   time.Time // UTC
	Phone             string    // PhoneNumber, normalised when it is a valid number
}

// Succeeded reports whether the customer paid.
func (c STKCallback) Succeeded() bool { return c.ResultCode == STKSuccess }

// DecodeSTKCallback decodes an STK push callback. Metadata items may come in
// any order, be missing, or lack a Value (Balance usually does); a successful
// result must still carry the receipt and a whole, positive amount, since
// without them the payment cannot be recorded. Errors wrap ErrMalformed and
// name the field.
func DecodeSTKCallback(r io.Reader) (STKCallback, error) {
	c, err := decodeSTKCallback(r)
	if err != nil {
		return STKCallback{}, fmt.Errorf("decode stk callback: %w", err)
	}
	return c, nil
}

func decodeSTKCallback(r io.Reader) (STKCallback, error) {
	b, err := ReadBody(r)
	if err != nil {
		return STKCallback{}, err
	}
	env, err := parseBody(b)
	if err != nil {
		return STKCallback{}, err
	}
	body, err := asObject(env.get("Body"), "Body")
	if err != nil {
		return STKCallback{}, err
	}
	const p = "Body.stkCallback."
	w, err := asObject(body.get("stkCallback"), "Body.stkCallback")
	if err != nil {
		return STKCallback{}, err
	}
	var c STKCallback
	if c.MerchantRequestID, err = requiredText(w.get("MerchantRequestID"), p+"MerchantRequestID"); err != nil {
		return STKCallback{}, err
	}
	if c.CheckoutRequestID, err = requiredText(w.get("CheckoutRequestID"), p+"CheckoutRequestID"); err != nil {
		return STKCallback{}, err
	}
	if c.ResultCode, err = intCode(w.get("ResultCode"), p+"ResultCode"); err != nil {
		return STKCallback{}, err
	}
	if c.ResultDesc, err = text(w.get("ResultDesc"), p+"ResultDesc"); err != nil {
		return STKCallback{}, err
	}
	if w.get("CallbackMetadata") == nil {
		if c.Succeeded() {
			return STKCallback{}, missing(p + "CallbackMetadata")
		}
		return c, nil
	}
	meta, err := asObject(w.get("CallbackMetadata"), p+"CallbackMetadata")
	if err != nil {
		return STKCallback{}, err
	}
	list, err := items(meta.get("Item"), p+"CallbackMetadata.Item", "Name")
	if err != nil {
		return STKCallback{}, err
	}
	if err := c.applyMetadata(list, p+"CallbackMetadata.Item."); err != nil {
		return STKCallback{}, err
	}
	if c.Succeeded() {
		if c.Receipt == "" {
			return STKCallback{}, missing(p + "CallbackMetadata.Item.MpesaReceiptNumber")
		}
		if c.Amount <= 0 || !c.Amount.IsWhole() {
			return STKCallback{}, fieldErr(p+"CallbackMetadata.Item.Amount", "must be whole shillings more than zero, got %s", c.Amount.Plain())
		}
	}
	return c, nil
}

// applyMetadata fills the fields from the items, whatever their order. Items
// we do not use (Balance and any new ones) are ignored.
func (c *STKCallback) applyMetadata(list []item, p string) error {
	for _, it := range list {
		field := p + it.Name
		switch it.Name {
		case "Amount":
			a, _, err := amount(it.Value, field)
			if err != nil {
				return err
			}
			c.Amount = a
		case "MpesaReceiptNumber":
			s, err := text(it.Value, field)
			if err != nil {
				return err
			}
			s = strings.TrimSpace(s)
			if s != "" && !isReceipt(s) {
				return fieldErr(field, "must be 10 upper-case letters and digits, got %s", quote(s))
			}
			c.Receipt = s
		case "TransactionDate":
			s, err := text(it.Value, field)
			if err != nil {
				return err
			}
			if s == "" {
				continue
			}
			if c.TransactionDate, err = parseEAT(s, field); err != nil {
				return err
			}
		case "PhoneNumber":
			s, err := text(it.Value, field)
			if err != nil {
				return err
			}
			if n, err := phone.Normalize(s); err == nil {
				s = n
			}
			c.Phone = s
		}
	}
	return nil
}
