package mpesa

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/phone"
)

// handleRegisterPull registers the short code for the Pull API. A repeat
// registration is answered like the first.
func (s *Simulator) handleRegisterPull(r *http.Request, f fields) (any, *APIError) {
	if f.str("ShortCode") != s.cfg.ShortCode {
		return nil, badRequest("ShortCode")
	}
	if f.str("RequestType") != "Pull" {
		return nil, badRequest("RequestType")
	}
	if _, err := phone.Normalize(f.str("NominatedNumber")); err != nil {
		return nil, badRequest("NominatedNumber")
	}
	if ValidCallbackPath(f.str("CallBackURL")) != nil {
		return nil, badRequest("CallBackURL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pullRegistered = true
	return map[string]string{
		"ResponseRefID":       s.requestID(),
		"ResponseStatus":      pullSuccess,
		"ShortCode":           s.cfg.ShortCode,
		"ResponseDescription": "ShortCode " + s.cfg.ShortCode + " Registered Successfully",
	}, nil
}

// pullRow is one transaction as the Pull API lists it, in Daraja's order.
type pullRow struct {
	TransactionID    string      `json:"transactionId"`
	TrxDate          string      `json:"trxDate"`
	MSISDN           json.Number `json:"msisdn"`
	Sender           string      `json:"sender"`
	TransactionType  string      `json:"transactiontype"`
	BillReference    string      `json:"billreference"`
	Amount           string      `json:"amount"`
	OrganizationName string      `json:"organizationname"`
}

// handlePullQuery lists the simulator's own completed payments (Paybill and
// STK) between StartDate and EndDate, oldest first, as M-Pesa does: only
// the last 48 hours, a page of PullPageSize rows from OffSetValue on.
func (s *Simulator) handlePullQuery(r *http.Request, f fields) (any, *APIError) {
	if f.str("ShortCode") != s.cfg.ShortCode {
		return nil, badRequest("ShortCode")
	}
	start, err := time.ParseInLocation(pullDateLayout, strings.TrimSpace(f.str("StartDate")), EAT)
	if err != nil {
		return nil, badRequest("StartDate")
	}
	end, err := time.ParseInLocation(pullDateLayout, strings.TrimSpace(f.str("EndDate")), EAT)
	if err != nil || end.Before(start) {
		return nil, badRequest("EndDate")
	}
	offset, err := strconv.Atoi(strings.TrimSpace(f.str("OffSetValue")))
	if err != nil || offset < 0 {
		return nil, badRequest("OffSetValue")
	}
	now := s.now()
	if oldest := now.Add(-PullWindow); start.Before(oldest) {
		start = oldest
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pullRegistered {
		return nil, &APIError{Code: CodeBadRequest, Message: "Bad Request - ShortCode " + s.cfg.ShortCode + " is not registered for Pull"}
	}
	var txs []SimTransaction
	for _, t := range s.txs {
		paid := t.State == TxCompleted || t.State == TxReversed
		if paid && !t.Time.Before(start) && !t.Time.After(end) {
			txs = append(txs, t.SimTransaction)
		}
	}
	slices.SortStableFunc(txs, func(a, b SimTransaction) int { return a.Time.Compare(b.Time) })
	rows := []pullRow{}
	for _, t := range txs[min(offset, len(txs)):min(offset+s.cfg.PullPageSize, len(txs))] {
		rows = append(rows, pullRow{
			TransactionID: t.Receipt, TrxDate: t.Time.UTC().Format("2006-01-02T15:04:05Z"), MSISDN: json.Number(t.Phone),
			Sender: t.FirstName, TransactionType: "c2b-pay-bill-debit", BillReference: t.BillRef,
			Amount: strconv.FormatInt(t.Amount.Major(), 10), OrganizationName: s.cfg.OrganisationName,
		})
	}
	return map[string]any{
		"ResponseRefID":   s.requestID(),
		"ResponseCode":    pullSuccess,
		"ResponseMessage": "Success",
		"Response":        [][]pullRow{rows},
	}, nil
}
