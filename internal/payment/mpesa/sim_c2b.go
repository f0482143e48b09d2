package mpesa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

type c2bURLs struct {
	confirmation, validation, responseType, version string
}

func (s *Simulator) handleRegisterURL(r *http.Request, f fields) (any, *APIError) {
	version := r.PathValue("version")
	if version != "v1" && version != "v2" {
		return nil, &APIError{Code: CodeNotFound, Message: "Resource not found"}
	}
	if code := f.str("ShortCode"); code != s.cfg.ShortCode {
		return nil, badRequest("ShortCode")
	}
	rt := f.str("ResponseType")
	if rt != ResponseCompleted && rt != ResponseCancelled {
		return nil, badRequest("ResponseType")
	}
	conf := f.str("ConfirmationURL")
	if ValidCallbackPath(conf) != nil {
		return nil, badRequest("ConfirmationURL")
	}
	val := f.str("ValidationURL")
	if ValidCallbackPath(val) != nil {
		return nil, badRequest("ValidationURL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.urls[s.cfg.ShortCode]; ok {
		return nil, &APIError{Code: CodeURLsRegistered, Message: "Urls are already registered"}
	}
	s.urls[s.cfg.ShortCode] = c2bURLs{confirmation: conf, validation: val, responseType: rt, version: version}
	return map[string]string{
		"OriginatorCoversationID": s.requestID(), // sic
		"ResponseCode":            "0",
		"ResponseDescription":     "Success",
	}, nil
}

// handleSimulate is the sandbox's C2B simulate: it answers at once and makes
// the payment in the background, as the sandbox does.
func (s *Simulator) handleSimulate(r *http.Request, f fields) (any, *APIError) {
	if code := f.str("ShortCode"); code != s.cfg.ShortCode {
		return nil, badRequest("ShortCode")
	}
	if cmd := f.str("CommandID"); cmd != PayBillOnline && cmd != BuyGoodsOnline {
		return nil, badRequest("CommandID")
	}
	amt, e := s.wholeAmount(f)
	if e != nil {
		return nil, e
	}
	msisdn, err := phone.Normalize(f.str("Msisdn"))
	if err != nil {
		return nil, badRequest("Msisdn")
	}
	billRef := f.str("BillRefNumber")
	s.mu.Lock()
	_, registered := s.urls[s.cfg.ShortCode]
	id := s.requestID()
	s.mu.Unlock()
	if !registered {
		return nil, &APIError{Code: CodeInternal, Message: "No ConfirmationURL registered for the ShortCode"}
	}
	s.background(func() {
		if _, err := s.PayBill(s.ctx, msisdn, billRef, amt); err != nil {
			s.log.Info("daraja sim: simulated payment not made", "err", err)
		}
	})
	return map[string]string{
		"OriginatorCoversationID": id, // sic
		"ResponseCode":            "0",
		"ResponseDescription":     "Accept the service request successfully.",
	}, nil
}

var errNoURLs = errors.New("no C2B URLs registered for the short code")

// ErrValidationRejected is wrapped by PayBill's error when the validation
// URL refused the payment (or did not answer and the ResponseType is
// Cancelled). The customer keeps the money.
var ErrValidationRejected = errors.New("payment rejected by validation")

// PayBill makes a customer pay the Paybill, as M-Pesa does: it calls the
// registered validation URL (unless SkipValidation) and honours its answer, then
// posts the confirmation (subject to Faults). It returns the receipt once the
// payment is made; the confirmation may still be on its way (see Wait).
func (s *Simulator) PayBill(ctx context.Context, msisdn, billRef string, amount money.Amount) (string, error) {
	n, err := phone.Normalize(msisdn)
	if err != nil {
		return "", fmt.Errorf("simulated paybill: %w", err)
	}
	if !amount.IsWhole() || amount < s.cfg.MinAmount || amount > s.cfg.MaxAmount {
		return "", fmt.Errorf("simulated paybill: amount %s must be whole shillings from %s to %s",
			amount.Plain(), s.cfg.MinAmount.Plain(), s.cfg.MaxAmount.Plain())
	}
	now := s.now()
	s.mu.Lock()
	urls, ok := s.urls[s.cfg.ShortCode]
	if !ok {
		s.mu.Unlock()
		return "", fmt.Errorf("simulated paybill: %w", errNoURLs)
	}
	tx := s.addTx(SimTransaction{
		Receipt: s.newReceipt(now), Kind: TxC2B, State: TxPending, Phone: n, FirstName: firstNameFor(n),
		BillRef: billRef, Amount: amount, Time: now.UTC(),
	})
	s.amounts++
	p := c2bPayload{
		TransactionType: "Pay Bill", TransID: tx.Receipt, TransTime: Timestamp(now),
		TransAmount: s.amountValue(amount), BusinessShortCode: s.cfg.ShortCode, BillRefNumber: billRef,
		MSISDN: s.payerForm(n, urls.version), FirstName: tx.FirstName,
	}
	s.mu.Unlock()

	if !s.cfg.SkipValidation {
		third, err := s.validate(ctx, urls, p)
		if err != nil {
			s.mu.Lock()
			tx.State = TxRejected
			s.mu.Unlock()
			return "", fmt.Errorf("simulated paybill %s: %w", tx.Receipt, err)
		}
		p.ThirdPartyTransID = third
	}
	s.mu.Lock()
	tx.State = TxCompleted
	s.balance += amount
	p.OrgAccountBalance = s.balance.Plain()
	s.mu.Unlock()
	body, _ := json.Marshal(p)
	s.deliver(KindConfirmation, urls.confirmation, body, tx.Receipt)
	return tx.Receipt, nil
}

// c2bPayload is the validation and confirmation body, in Daraja's order.
type c2bPayload struct {
	TransactionType   string
	TransID           string
	TransTime         string
	TransAmount       any // "500.00" or 500, see AmountForm
	BusinessShortCode string
	BillRefNumber     string
	InvoiceNumber     string
	OrgAccountBalance string
	ThirdPartyTransID string
	MSISDN            string
	FirstName         string
	MiddleName        string
	LastName          string
}

// amountValue writes an amount as the AmountForm says; s.mu held.
func (s *Simulator) amountValue(a money.Amount) any {
	form := s.cfg.AmountForm
	if form == AmountAlternate {
		form = AmountString
		if s.amounts%2 == 0 {
			form = AmountNumber
		}
	}
	if form == AmountNumber {
		return a.Major()
	}
	return a.Plain()
}

func (s *Simulator) payerForm(msisdn, version string) string {
	form := s.cfg.MSISDNForm
	if form == MSISDNByVersion {
		form = MSISDNHashed
		if version == "v2" {
			form = MSISDNMasked
		}
	}
	switch form {
	case MSISDNHashed:
		return HashMSISDN(msisdn)
	case MSISDNMasked:
		return maskMSISDN(msisdn)
	}
	return msisdn
}

// validate calls the validation URL and returns the ThirdPartyTransID it
// set. A refusal is an error; so is silence when the registered
// ResponseType is Cancelled.
func (s *Simulator) validate(ctx context.Context, urls c2bURLs, p c2bPayload) (string, error) {
	body, _ := json.Marshal(p)
	s.mu.Lock()
	s.callbacks = append(s.callbacks, SimCallback{ID: len(s.callbacks) + 1, Kind: KindValidation, URL: urls.validation, Body: body, Ref: p.TransID, Copy: 1})
	rec := len(s.callbacks) - 1
	s.sent++
	s.callbacks[rec].SentSeq, s.callbacks[rec].SentAt = s.sent, s.now()
	s.mu.Unlock()

	vctx, cancel := context.WithTimeout(ctx, s.cfg.ValidationTimeout)
	defer cancel()
	status, reply, err := s.postJSON(vctx, urls.validation, body)
	s.mu.Lock()
	s.callbacks[rec].Status, s.callbacks[rec].Reply = status, reply
	if err != nil {
		s.callbacks[rec].Err = err.Error()
	}
	s.mu.Unlock()

	code, desc, third, ok := validationReply(status, reply, err)
	switch {
	case !ok && urls.responseType == ResponseCompleted:
		return "", nil
	case !ok:
		return "", fmt.Errorf("%w: no answer from the validation URL and ResponseType is Cancelled", ErrValidationRejected)
	case code != C2BAccept:
		return "", fmt.Errorf("%w: %s %s", ErrValidationRejected, code, desc)
	}
	return third, nil
}

// validationReply reads a validation answer; ok is false when there was no
// usable answer, which M-Pesa treats like a timeout.
func validationReply(status int, reply string, err error) (code, desc, third string, ok bool) {
	if err != nil || status != http.StatusOK {
		return "", "", "", false
	}
	f, err := parseBody([]byte(reply))
	if err != nil {
		return "", "", "", false
	}
	code, cerr := resultCode(f.get("ResultCode"), "ResultCode")
	if cerr != nil {
		return "", "", "", false
	}
	return strings.TrimSpace(code), f.str("ResultDesc"), f.str("ThirdPartyTransID"), true
}
