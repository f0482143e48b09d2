package mpesa

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// asyncRequest is what the status query and the reversal share.
type asyncRequest struct {
	receipt, resultURL, timeoutURL, occasion string
	originator, conversation                 string
	credentialOK                             bool
}

// readAsync checks the fields both asynchronous requests carry and issues
// their conversation ids.
func (s *Simulator) readAsync(f fields, command string) (asyncRequest, *APIError) {
	var a asyncRequest
	if f.str("CommandID") != command {
		return a, badRequest("CommandID")
	}
	if _, e := requireText(f, "Initiator"); e != nil {
		return a, e
	}
	cred, e := requireText(f, "SecurityCredential")
	if e != nil {
		return a, e
	}
	if a.receipt, e = requireText(f, "TransactionID"); e != nil {
		return a, e
	}
	a.resultURL, a.timeoutURL = f.str("ResultURL"), f.str("QueueTimeOutURL")
	if ValidCallbackPath(a.resultURL) != nil {
		return a, badRequest("ResultURL")
	}
	if ValidCallbackPath(a.timeoutURL) != nil {
		return a, badRequest("QueueTimeOutURL")
	}
	a.occasion = f.str("Occasion")
	a.credentialOK = s.cfg.SecurityCredential == "" || cred == s.cfg.SecurityCredential
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a.originator = strings.TrimSpace(f.str("OriginatorConversationID"))
	if a.originator != "" && s.originIDs[a.originator] {
		return a, &APIError{Code: CodeDuplicateOriginator, Message: "Duplicate OriginatorConversationID."}
	}
	if a.originator == "" {
		a.originator = s.unique(func() string {
			return itoa(10000+s.rng.IntN(90000)) + "-" + itoa(1000000+s.rng.IntN(9000000)) + "-1"
		})
	}
	s.originIDs[a.originator] = true
	a.conversation = s.conversationID(now)
	return a, nil
}

func (a asyncRequest) accepted() map[string]string {
	return map[string]string{
		"OriginatorConversationID": a.originator,
		"ConversationID":           a.conversation,
		"ResponseCode":             "0",
		"ResponseDescription":      "Accept the service request successfully.",
	}
}

func (s *Simulator) handleStatusQuery(r *http.Request, f fields) (any, *APIError) {
	a, e := s.readAsync(f, "TransactionStatusQuery")
	if e != nil {
		return nil, e
	}
	if f.str("PartyA") != s.cfg.ShortCode {
		return nil, badRequest("PartyA")
	}
	switch f.str("IdentifierType") {
	case IdentifierMSISDN, IdentifierTill, IdentifierShortCode:
	default:
		return nil, badRequest("IdentifierType")
	}
	s.background(func() { s.answerStatus(a) })
	return a.accepted(), nil
}

// param is one ResultParameter or ReferenceItem; a nil Value is left out, as
// Daraja does for TransactionReason.
type param struct {
	Key   string
	Value any `json:",omitempty"`
}

func (s *Simulator) answerStatus(a asyncRequest) {
	s.mu.Lock()
	tx, ok := s.byReceipt[a.receipt]
	var t SimTransaction
	if ok {
		t = tx.SimTransaction
	}
	s.mu.Unlock()
	res := map[string]any{
		"ResultType":               0,
		"OriginatorConversationID": a.originator,
		"ConversationID":           a.conversation,
		"TransactionID":            a.receipt,
	}
	switch {
	case !a.credentialOK:
		res["ResultCode"], res["ResultDesc"] = WrongPIN.ResultCode, WrongPIN.ResultDesc
	case !ok || (t.State != TxCompleted && t.State != TxReversed):
		res["ResultCode"], res["ResultDesc"] = ResultInvalidTransaction, "The OriginalTransactionID is invalid."
		res["ReferenceData"] = map[string]any{"ReferenceItem": []param{
			{"Occasion", a.occasion}, {"QueueTimeoutURL", a.timeoutURL},
		}}
	default:
		status := "Completed"
		if t.State == TxReversed {
			status = "Reversed"
		}
		res["ResultCode"], res["ResultDesc"] = 0, "The service request is processed successfully."
		res["ResultParameters"] = map[string]any{"ResultParameter": []param{
			{"DebitPartyName", t.Phone + " - " + t.FirstName},
			{"CreditPartyName", s.cfg.ShortCode + " - " + s.cfg.OrganisationName},
			{"OriginatorConversationID", a.originator},
			{"InitiatedTime", json.Number(Timestamp(t.Time))},
			{"DebitAccountType", "MMF Account For Customer"},
			{"DebitPartyCharges", ""},
			{"TransactionReason", nil},
			{"ReasonType", "Pay Bill Online"},
			{"TransactionStatus", status},
			{"FinalisedTime", json.Number(Timestamp(t.Time.Add(time.Second)))},
			{"Amount", t.Amount.Major()},
			{"ConversationID", a.conversation},
			{"ReceiptNo", t.Receipt},
		}}
		res["ReferenceData"] = map[string]any{"ReferenceItem": param{"Occasion", a.occasion}}
	}
	s.sendResult(KindStatusResult, a, res)
}

// sendResult posts an asynchronous result, after a queue-timeout notice when
// the faults ask for one.
func (s *Simulator) sendResult(kind CallbackKind, a asyncRequest, res map[string]any) {
	if s.faultsFor(KindQueueTimeout).QueueTimeout {
		timeout := map[string]any{"Result": map[string]any{
			"ResultType": 1, "ResultCode": 1, "ResultDesc": "The service request timed out in the queue.",
			"OriginatorConversationID": a.originator, "ConversationID": a.conversation,
			"TransactionID": a.receipt,
			"ReferenceData": map[string]any{"ReferenceItem": param{"QueueTimeoutURL", a.timeoutURL}},
		}}
		body, _ := json.Marshal(timeout)
		if done := s.deliver(KindQueueTimeout, a.timeoutURL, body, a.conversation); done != nil {
			select { // the notice goes out before the result, as in M-Pesa
			case <-done:
			case <-s.ctx.Done():
				return
			}
		}
	}
	body, _ := json.Marshal(map[string]any{"Result": res})
	s.deliver(kind, a.resultURL, body, a.conversation)
}

func (s *Simulator) handleReversal(r *http.Request, f fields) (any, *APIError) {
	a, e := s.readAsync(f, "TransactionReversal")
	if e != nil {
		return nil, e
	}
	amt, e := s.wholeAmount(f)
	if e != nil {
		return nil, e
	}
	if f.str("ReceiverParty") != s.cfg.ShortCode {
		return nil, badRequest("ReceiverParty")
	}
	if f.str("RecieverIdentifierType") != IdentifierReversal { // sic: Daraja's spelling
		return nil, badRequest("RecieverIdentifierType")
	}
	s.mu.Lock()
	tx, ok := s.byReceipt[a.receipt]
	mismatch := ok && tx.Amount != amt
	s.mu.Unlock()
	if mismatch {
		return nil, badRequest("Amount")
	}
	s.background(func() { s.answerReversal(a) })
	return a.accepted(), nil
}

// answerReversal reverses a completed payment once; a second reversal gets
// R000001 and an unknown receipt R000002.
func (s *Simulator) answerReversal(a asyncRequest) {
	now := s.now()
	res := map[string]any{
		"ResultType":               0,
		"OriginatorConversationID": a.originator,
		"ConversationID":           a.conversation,
		"TransactionID":            a.receipt,
	}
	s.mu.Lock()
	tx, ok := s.byReceipt[a.receipt]
	switch {
	case !a.credentialOK:
		res["ResultCode"], res["ResultDesc"] = WrongPIN.ResultCode, WrongPIN.ResultDesc
	case ok && tx.State == TxReversed:
		res["ResultCode"], res["ResultDesc"] = ResultAlreadyReversed, "The transaction has already been reversed."
	case !ok || tx.State != TxCompleted:
		res["ResultCode"], res["ResultDesc"] = ResultInvalidTransaction, "The OriginalTransactionID is invalid."
	default:
		tx.State = TxReversed
		s.balance -= tx.Amount
		reversal := s.newReceipt(now)
		res["TransactionID"] = reversal
		res["ResultCode"], res["ResultDesc"] = 0, "The service request is processed successfully."
		res["ResultParameters"] = map[string]any{"ResultParameter": []param{
			{"DebitAccountBalance", "Utility Account|KES|" + s.balance.Plain() + "|" + s.balance.Plain() + "|0.00|0.00"},
			{"Amount", json.Number(tx.Amount.Plain())},
			{"TransCompletedTime", json.Number(Timestamp(now))},
			{"OriginalTransactionID", tx.Receipt},
			{"Charge", json.Number("0.00")},
			{"CreditPartyPublicName", tx.Phone + " - " + tx.FirstName},
			{"DebitPartyPublicName", s.cfg.ShortCode + " - " + s.cfg.OrganisationName},
		}}
	}
	s.mu.Unlock()
	res["ReferenceData"] = map[string]any{"ReferenceItem": param{"QueueTimeoutURL", a.timeoutURL}}
	s.sendResult(KindReversalResult, a, res)
}
