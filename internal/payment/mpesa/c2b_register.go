package mpesa

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// ResponseType values: what M-Pesa does with a payment when the validation
// URL does not answer in time. Exact case matters.
const (
	ResponseCompleted = "Completed"
	ResponseCancelled = "Cancelled"
)

// C2BResponse is the reply to URL registration and to the sandbox's C2B
// simulate call.
type C2BResponse struct {
	OriginatorConversationID string // sent as "OriginatorCoversationID" (sic)
	ResponseCode             string
	ResponseDescription      string
}

func c2bResponse(f fields) C2BResponse {
	return C2BResponse{
		OriginatorConversationID: f.str("OriginatorCoversationID"),
		ResponseCode:             f.str("ResponseCode"),
		ResponseDescription:      f.str("ResponseDescription"),
	}
}

func (c *Client) c2bVersion() string {
	if c.C2BVersion == "v2" {
		return "v2"
	}
	return "v1"
}

// RegisterC2BURLs registers where M-Pesa posts the short code's validation
// and confirmation calls. In production this works once; a second attempt
// fails with an error for which IsAlreadyRegistered is true.
func (c *Client) RegisterC2BURLs(ctx context.Context, confirmationURL, validationURL, responseType string) (C2BResponse, error) {
	if responseType != ResponseCompleted && responseType != ResponseCancelled {
		return C2BResponse{}, fmt.Errorf("register c2b urls: %w: response type must be %q or %q, got %s",
			ErrInvalidRequest, ResponseCompleted, ResponseCancelled, quote(responseType))
	}
	for _, u := range []string{confirmationURL, validationURL} {
		if err := ValidCallbackPath(u); err != nil {
			return C2BResponse{}, fmt.Errorf("register c2b urls: %w: %v", ErrInvalidRequest, err)
		}
	}
	body := struct {
		ShortCode       string
		ResponseType    string
		ConfirmationURL string
		ValidationURL   string
	}{c.ShortCode, responseType, confirmationURL, validationURL}
	f, err := c.call(ctx, "/mpesa/c2b/"+c.c2bVersion()+"/registerurl", body)
	if err != nil {
		return C2BResponse{}, fmt.Errorf("register c2b urls: %w", err)
	}
	return c2bResponse(f), nil
}

// SimulateC2B asks the sandbox (or the simulator) to make a customer pay the
// short code. Production has no such call.
func (c *Client) SimulateC2B(ctx context.Context, msisdn, billRef string, amount money.Amount) (C2BResponse, error) {
	n, err := phone.Normalize(msisdn)
	if err != nil {
		return C2BResponse{}, fmt.Errorf("simulate c2b: %w: %v", ErrInvalidRequest, err)
	}
	if amount <= 0 || !amount.IsWhole() {
		return C2BResponse{}, fmt.Errorf("simulate c2b: %w: amount must be whole shillings more than zero", ErrInvalidRequest)
	}
	body := struct {
		ShortCode     string
		CommandID     string
		Amount        int64
		Msisdn        string
		BillRefNumber string
	}{c.ShortCode, PayBillOnline, amount.Major(), n, billRef}
	f, err := c.call(ctx, "/mpesa/c2b/"+c.c2bVersion()+"/simulate", body)
	if err != nil {
		return C2BResponse{}, fmt.Errorf("simulate c2b: %w", err)
	}
	return c2bResponse(f), nil
}
