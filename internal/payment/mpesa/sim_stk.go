package mpesa

import (
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// Behaviour is how a simulated customer answers an STK prompt: the result
// code and description of the callback.
type Behaviour struct {
	ResultCode int
	ResultDesc string
}

// Customer behaviours, with Daraja's descriptions.
var (
	CustomerPays      = Behaviour{STKSuccess, "The service request is processed successfully."}
	CustomerCancels   = Behaviour{STKCancelled, "Request cancelled by user"}
	PhoneUnreachable  = Behaviour{STKUnreachable, "DS timeout user cannot be reached"}
	InsufficientFunds = Behaviour{STKInsufficientFunds, "The balance is insufficient for the transaction."}
	WrongPIN          = Behaviour{STKWrongPIN, "The initiator information is invalid."}
)

// SetPhoneBehaviour fixes how the customer with this number answers every
// STK prompt from now on.
func (s *Simulator) SetPhoneBehaviour(msisdn string, b Behaviour) {
	if n, err := phone.Normalize(msisdn); err == nil {
		msisdn = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phones[msisdn] = b
}

// SetBehaviour decides how customers without a SetPhoneBehaviour answer;
// nil means they all pay.
func (s *Simulator) SetBehaviour(fn func(phone string, amount money.Amount) Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour = fn
}

func (s *Simulator) behaviourFor(msisdn string, amount money.Amount) Behaviour {
	s.mu.Lock()
	b, ok := s.phones[msisdn]
	fn := s.behaviour
	s.mu.Unlock()
	switch {
	case ok:
		return b
	case fn != nil:
		return fn(msisdn, amount)
	}
	return CustomerPays
}

// checkSTKPassword checks BusinessShortCode, Timestamp and Password the way
// Daraja does for the push and the query.
func (s *Simulator) checkSTKPassword(f fields) *APIError {
	if f.str("BusinessShortCode") != s.cfg.ShortCode {
		return badRequest("BusinessShortCode")
	}
	ts := f.str("Timestamp")
	if _, err := parseEAT(ts, "Timestamp"); err != nil || len(ts) != len(timestampLayout) {
		return badRequest("Timestamp")
	}
	if f.str("Password") != STKPassword(s.cfg.ShortCode, s.cfg.Passkey, ts) {
		return &APIError{Code: CodeInternal, Message: msgWrongCredents}
	}
	return nil
}

func (s *Simulator) handleSTKPush(r *http.Request, f fields) (any, *APIError) {
	if e := s.checkSTKPassword(f); e != nil {
		return nil, e
	}
	typ := f.str("TransactionType")
	if typ != PayBillOnline && typ != BuyGoodsOnline {
		return nil, badRequest("TransactionType")
	}
	amt, e := s.wholeAmount(f)
	if e != nil {
		return nil, e
	}
	msisdn, err := phone.Normalize(f.str("PhoneNumber"))
	if err != nil || msisdn[:3] != phone.DefaultCountry {
		return nil, badRequest("PhoneNumber")
	}
	if partyA, err := phone.Normalize(f.str("PartyA")); err != nil || partyA != msisdn {
		return nil, badRequest("PartyA")
	}
	if partyB := f.str("PartyB"); partyB == "" || (typ == PayBillOnline && partyB != s.cfg.ShortCode) {
		return nil, badRequest("PartyB")
	}
	callback := f.str("CallBackURL")
	if ValidCallbackPath(callback) != nil {
		return nil, badRequest("CallBackURL")
	}
	ref := f.str("AccountReference")
	if n := utf8.RuneCountInString(ref); n == 0 || n > MaxAccountReference {
		return nil, badRequest("AccountReference")
	}
	if n := utf8.RuneCountInString(f.str("TransactionDesc")); n == 0 || n > MaxDescription {
		return nil, badRequest("TransactionDesc")
	}

	now := s.now()
	s.mu.Lock()
	tx := s.addTx(SimTransaction{
		Kind: TxSTK, State: TxPending, Phone: msisdn, FirstName: firstNameFor(msisdn), BillRef: ref,
		Amount: amt, Time: now.UTC(),
		CheckoutRequestID: s.checkoutRequestID(now), MerchantRequestID: s.requestID(),
	})
	s.pushes++
	reordered := s.pushes%2 == 0
	merchant, checkout := tx.MerchantRequestID, tx.CheckoutRequestID
	s.mu.Unlock()

	s.background(func() {
		if s.sleep(s.cfg.STKDelay) {
			s.answerPush(tx, callback, reordered)
		}
	})
	const accepted = "Success. Request accepted for processing"
	return map[string]string{
		"MerchantRequestID": merchant, "CheckoutRequestID": checkout,
		"ResponseCode": "0", "ResponseDescription": accepted, "CustomerMessage": accepted,
	}, nil
}

// answerPush plays the customer's answer, settles the transaction and posts
// the callback. Even a dropped callback leaves the transaction settled, so
// the STK query and the status query find it.
func (s *Simulator) answerPush(tx *simTx, callback string, reordered bool) {
	b := s.behaviourFor(tx.Phone, tx.Amount)
	now := s.now()
	s.mu.Lock()
	tx.ResultCode, tx.ResultDesc = b.ResultCode, b.ResultDesc
	tx.State = TxFailed
	if b.ResultCode == STKSuccess {
		tx.State = TxCompleted
		tx.Receipt = s.newReceipt(now)
		tx.Time = now.UTC()
		s.byReceipt[tx.Receipt] = tx
		s.balance += tx.Amount
	}
	cb := stkCallbackPayload(tx.SimTransaction, now, reordered)
	ref := tx.CheckoutRequestID
	s.mu.Unlock()
	body, _ := json.Marshal(cb)
	s.deliver(KindSTK, callback, body, ref)
}

type stkItem struct {
	Name  string
	Value any `json:",omitempty"`
}

// stkCallbackPayload builds the callback. Successes alternate between
// Daraja's usual item order with a valueless Balance and a reordered list
// without it, so receivers meet both.
func stkCallbackPayload(t SimTransaction, at time.Time, reordered bool) any {
	cb := map[string]any{
		"MerchantRequestID": t.MerchantRequestID,
		"CheckoutRequestID": t.CheckoutRequestID,
		"ResultCode":        t.ResultCode,
		"ResultDesc":        t.ResultDesc,
	}
	if t.ResultCode == STKSuccess {
		date := json.Number(Timestamp(at))
		phoneNo := json.Number(t.Phone)
		items := []stkItem{
			{"Amount", json.Number(t.Amount.Plain())},
			{"MpesaReceiptNumber", t.Receipt},
			{"Balance", nil},
			{"TransactionDate", date},
			{"PhoneNumber", phoneNo},
		}
		if reordered {
			items = []stkItem{
				{"PhoneNumber", phoneNo},
				{"TransactionDate", date},
				{"MpesaReceiptNumber", t.Receipt},
				{"Amount", t.Amount.Major()},
			}
		}
		cb["CallbackMetadata"] = map[string]any{"Item": items}
	}
	return map[string]any{"Body": map[string]any{"stkCallback": cb}}
}

func (s *Simulator) handleSTKQuery(r *http.Request, f fields) (any, *APIError) {
	if e := s.checkSTKPassword(f); e != nil {
		return nil, e
	}
	id := f.str("CheckoutRequestID")
	s.mu.Lock()
	tx, ok := s.byCheckout[id]
	var t SimTransaction
	if ok {
		t = tx.SimTransaction
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, badRequest("CheckoutRequestID")
	case t.State == TxPending:
		return nil, &APIError{Code: CodeInternal, Message: msgProcessing}
	}
	return map[string]string{
		"ResponseCode":        "0",
		"ResponseDescription": "The service request has been accepted successsfully", // sic
		"MerchantRequestID":   t.MerchantRequestID,
		"CheckoutRequestID":   t.CheckoutRequestID,
		"ResultCode":          itoa(t.ResultCode), // a string here, unlike the callback
		"ResultDesc":          t.ResultDesc,
	}, nil
}
