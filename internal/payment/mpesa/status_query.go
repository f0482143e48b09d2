package mpesa

import (
	"context"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// Identifier types for PartyA and ReceiverParty.
const (
	IdentifierMSISDN    = "1"
	IdentifierTill      = "2"
	IdentifierShortCode = "4"
	// IdentifierReversal is what Daraja wants in RecieverIdentifierType for a
	// reversal of a payment to a short code.
	IdentifierReversal = "11"
)

// defaultRemarks fills Remarks, which Daraja requires non-empty.
const defaultRemarks = "Mteja"

// TransactionStatus asks M-Pesa about a receipt, for example one whose C2B
// confirmation never came. The answer is posted later to resultURL (see
// DecodeStatusResult), or a timeout notice to timeoutURL.
func (c *Client) TransactionStatus(ctx context.Context, receipt, resultURL, timeoutURL, remarks string) (AsyncResponse, error) {
	if err := c.checkAsync(receipt, resultURL, timeoutURL); err != nil {
		return AsyncResponse{}, fmt.Errorf("transaction status %s: %w", receipt, err)
	}
	body := struct {
		Initiator          string
		SecurityCredential string
		CommandID          string
		TransactionID      string
		PartyA             string
		IdentifierType     string
		ResultURL          string
		QueueTimeOutURL    string
		Remarks            string
		Occasion           string
	}{c.Initiator, c.SecurityCredential, "TransactionStatusQuery", receipt, c.ShortCode,
		IdentifierShortCode, resultURL, timeoutURL, remarksOrDefault(remarks), ""}
	f, err := c.call(ctx, "/mpesa/transactionstatus/v1/query", body)
	if err != nil {
		return AsyncResponse{}, fmt.Errorf("transaction status %s: %w", receipt, err)
	}
	return asyncResponse(f), nil
}

// ReversalRequest asks M-Pesa to return a C2B payment to the payer.
type ReversalRequest struct {
	Receipt    string       // the M-Pesa receipt to reverse
	Amount     money.Amount // the whole amount paid, whole shillings
	ResultURL  string
	TimeoutURL string
	Remarks    string
}

// Reverse asks M-Pesa to reverse a payment. The outcome is posted later to
// ResultURL: ResultSuccess, ResultAlreadyReversed or ResultInvalidTransaction.
func (c *Client) Reverse(ctx context.Context, r ReversalRequest) (AsyncResponse, error) {
	if err := c.checkAsync(r.Receipt, r.ResultURL, r.TimeoutURL); err != nil {
		return AsyncResponse{}, fmt.Errorf("reversal %s: %w", r.Receipt, err)
	}
	if r.Amount <= 0 || !r.Amount.IsWhole() {
		return AsyncResponse{}, fmt.Errorf("reversal %s: %w: amount must be whole shillings more than zero", r.Receipt, ErrInvalidRequest)
	}
	body := struct {
		Initiator              string
		SecurityCredential     string
		CommandID              string
		TransactionID          string
		Amount                 int64
		ReceiverParty          string
		RecieverIdentifierType string // sic: Daraja's spelling
		ResultURL              string
		QueueTimeOutURL        string
		Remarks                string
		Occasion               string
	}{c.Initiator, c.SecurityCredential, "TransactionReversal", r.Receipt, r.Amount.Major(),
		c.ShortCode, IdentifierReversal, r.ResultURL, r.TimeoutURL, remarksOrDefault(r.Remarks), ""}
	f, err := c.call(ctx, "/mpesa/reversal/v1/request", body)
	if err != nil {
		return AsyncResponse{}, fmt.Errorf("reversal %s: %w", r.Receipt, err)
	}
	return asyncResponse(f), nil
}

func (c *Client) checkAsync(receipt, resultURL, timeoutURL string) error {
	if !isReceipt(receipt) {
		return fmt.Errorf("%w: %s is not an M-Pesa receipt", ErrInvalidRequest, quote(receipt))
	}
	if c.Initiator == "" || c.SecurityCredential == "" {
		return fmt.Errorf("%w: the client has no Initiator or SecurityCredential", ErrInvalidRequest)
	}
	for _, u := range []string{resultURL, timeoutURL} {
		if err := ValidCallbackPath(u); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		}
	}
	return nil
}

func remarksOrDefault(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return defaultRemarks
	}
	return s
}
