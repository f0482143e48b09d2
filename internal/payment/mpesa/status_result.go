package mpesa

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Result codes of asynchronous results (transaction status, reversal) that
// callers act on. Success is "0".
const (
	ResultSuccess            = "0"
	ResultAlreadyReversed    = "R000001"
	ResultInvalidTransaction = "R000002" // no such transaction: the receipt is unknown
)

// StatusResult is an asynchronous result as Daraja posts it to a ResultURL
// (transaction status query, reversal) or to a QueueTimeOutURL. A queue
// timeout is not a failure: the final result may still follow.
type StatusResult struct {
	ResultType               int
	ResultCode               string // normalised: 0 and "0" both give "0"; codes such as "R000002" kept
	ResultDesc               string
	OriginatorConversationID string
	ConversationID           string
	TransactionID            string

	// Read from ResultParameters when present; zero otherwise.
	ReceiptNo         string
	Amount            money.Amount
	TransactionStatus string // "Completed", "Reversed", ...
	DebitPartyName    string // "254708374149 - John Doe"
	CreditPartyName   string
	ReasonType        string
	InitiatedTime     time.Time // UTC
	FinalisedTime     time.Time // UTC

	// Parameters holds every ResultParameter as text (numbers in their
	// decimal form, a missing Value as ""); References every ReferenceItem.
	Parameters map[string]string
	References map[string]string
}

// Succeeded reports whether M-Pesa carried the request out.
func (r StatusResult) Succeeded() bool { return r.ResultCode == ResultSuccess }

// Completed reports whether a status query found a completed payment.
func (r StatusResult) Completed() bool {
	return r.Succeeded() && r.TransactionStatus == "Completed"
}

// NotFound reports whether M-Pesa knows no transaction with that id.
func (r StatusResult) NotFound() bool { return r.ResultCode == ResultInvalidTransaction }

// DecodeStatusResult decodes a transaction status, reversal or queue-timeout
// result. ResultCode may be a number or a string, ResultParameter and
// ReferenceItem an array or a single object, and parameters may lack a Value.
// A result must carry ResultCode and at least one conversation id, since
// that is how it is matched to its request. Errors wrap ErrMalformed and
// name the field.
func DecodeStatusResult(r io.Reader) (StatusResult, error) {
	res, err := decodeStatusResult(r)
	if err != nil {
		return StatusResult{}, fmt.Errorf("decode status result: %w", err)
	}
	return res, nil
}

func decodeStatusResult(r io.Reader) (StatusResult, error) {
	b, err := ReadBody(r)
	if err != nil {
		return StatusResult{}, err
	}
	env, err := parseBody(b)
	if err != nil {
		return StatusResult{}, err
	}
	w, err := asObject(env.get("Result"), "Result")
	if err != nil {
		return StatusResult{}, err
	}
	var res StatusResult
	if w.get("ResultType") != nil {
		if res.ResultType, err = intCode(w.get("ResultType"), "Result.ResultType"); err != nil {
			return StatusResult{}, err
		}
	}
	if res.ResultCode, err = resultCode(w.get("ResultCode"), "Result.ResultCode"); err != nil {
		return StatusResult{}, err
	}
	for _, f := range []struct {
		dst  *string
		name string
	}{
		{&res.ResultDesc, "ResultDesc"},
		{&res.OriginatorConversationID, "OriginatorConversationID"},
		{&res.ConversationID, "ConversationID"},
		{&res.TransactionID, "TransactionID"},
	} {
		if *f.dst, err = text(w.get(f.name), "Result."+f.name); err != nil {
			return StatusResult{}, err
		}
	}
	if res.OriginatorConversationID == "" && res.ConversationID == "" {
		return StatusResult{}, missing("Result.ConversationID and Result.OriginatorConversationID")
	}
	if v := w.get("ResultParameters"); v != nil {
		rp, err := asObject(v, "Result.ResultParameters")
		if err != nil {
			return StatusResult{}, err
		}
		if res.Parameters, err = keyValues(rp.get("ResultParameter"), "Result.ResultParameters.ResultParameter"); err != nil {
			return StatusResult{}, err
		}
	}
	if v := w.get("ReferenceData"); v != nil {
		rd, err := asObject(v, "Result.ReferenceData")
		if err != nil {
			return StatusResult{}, err
		}
		if res.References, err = keyValues(rd.get("ReferenceItem"), "Result.ReferenceData.ReferenceItem"); err != nil {
			return StatusResult{}, err
		}
	}
	if err := res.applyParameters("Result.ResultParameters.ResultParameter."); err != nil {
		return StatusResult{}, err
	}
	return res, nil
}

// keyValues reads Key/Value items into a map. A Value that is an object or
// an array (not seen, but not worth refusing a result for) is kept as JSON.
func keyValues(v any, field string) (map[string]string, error) {
	list, err := items(v, field, "Key")
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(list))
	for _, it := range list {
		switch it.Value.(type) {
		case map[string]any, []any:
			b, err := json.Marshal(it.Value)
			if err != nil {
				return nil, fieldErr(field+"."+it.Name, "%v", err)
			}
			m[it.Name] = string(b)
		default:
			s, err := text(it.Value, field+"."+it.Name)
			if err != nil {
				return nil, err
			}
			m[it.Name] = s
		}
	}
	return m, nil
}

func (res *StatusResult) applyParameters(p string) error {
	get := func(k string) string { return res.Parameters[k] }
	res.ReceiptNo = get("ReceiptNo")
	res.TransactionStatus = get("TransactionStatus")
	res.DebitPartyName = get("DebitPartyName")
	res.CreditPartyName = get("CreditPartyName")
	res.ReasonType = get("ReasonType")
	if s := get("Amount"); s != "" {
		a, _, err := amountText(s, p+"Amount")
		if err != nil {
			return err
		}
		res.Amount = a
	}
	for _, t := range []struct {
		dst *time.Time
		key string
	}{{&res.InitiatedTime, "InitiatedTime"}, {&res.FinalisedTime, "FinalisedTime"}} {
		s := get(t.key)
		if s == "" {
			continue
		}
		v, err := parseEAT(s, p+t.key)
		if err != nil {
			return err
		}
		*t.dst = v
	}
	return nil
}
