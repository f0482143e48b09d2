package mpesa

import (
	"context"
	"fmt"
	"strings"
)

// STKQueryResult is the state of an STK push as the query reports it. Here
// ResultCode arrives as a string; it is read into the same int codes as the
// callback's.
type STKQueryResult struct {
	MerchantRequestID   string
	CheckoutRequestID   string
	ResponseCode        string
	ResponseDescription string
	ResultCode          int
	ResultDesc          string
}

// Succeeded reports whether the customer paid. The query does not give the
// receipt number: find it with a transaction status query or wait for the
// C2B confirmation, which carries it too.
func (r STKQueryResult) Succeeded() bool { return r.ResultCode == STKSuccess }

// STKQuery asks for the outcome of an STK push whose callback has not come.
// While the customer has not answered, it fails with an error for which
// IsProcessing is true.
func (c *Client) STKQuery(ctx context.Context, checkoutRequestID string) (STKQueryResult, error) {
	if strings.TrimSpace(checkoutRequestID) == "" {
		return STKQueryResult{}, fmt.Errorf("stk query: %w: no CheckoutRequestID", ErrInvalidRequest)
	}
	ts := Timestamp(c.now())
	body := struct {
		BusinessShortCode string
		Password          string
		Timestamp         string
		CheckoutRequestID string
	}{c.ShortCode, STKPassword(c.ShortCode, c.Passkey, ts), ts, checkoutRequestID}
	f, err := c.call(ctx, "/mpesa/stkpushquery/v1/query", body)
	if err != nil {
		return STKQueryResult{}, fmt.Errorf("stk query %s: %w", checkoutRequestID, err)
	}
	res, err := decodeSTKQuery(f)
	if err != nil {
		return STKQueryResult{}, fmt.Errorf("stk query %s: %w", checkoutRequestID, err)
	}
	return res, nil
}

func decodeSTKQuery(f fields) (STKQueryResult, error) {
	code, err := intCode(f.get("ResultCode"), "ResultCode")
	if err != nil {
		return STKQueryResult{}, err
	}
	return STKQueryResult{
		MerchantRequestID:   f.str("MerchantRequestID"),
		CheckoutRequestID:   f.str("CheckoutRequestID"),
		ResponseCode:        f.str("ResponseCode"),
		ResponseDescription: f.str("ResponseDescription"),
		ResultCode:          code,
		ResultDesc:          f.str("ResultDesc"),
	}, nil
}
