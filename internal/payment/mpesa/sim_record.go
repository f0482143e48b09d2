package mpesa

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// Transaction states in the simulator.
const (
	TxPending   = "pending"   // STK push waiting for the customer
	TxCompleted = "completed" // money moved
	TxFailed    = "failed"    // STK push cancelled, timed out, refused...
	TxRejected  = "rejected"  // refused by the validation URL
	TxReversed  = "reversed"
)

// Transaction kinds in the simulator.
const (
	TxC2B = "c2b"
	TxSTK = "stk"
)

// SimTransaction is a payment as the simulator knows it.
type SimTransaction struct {
	Receipt           string // empty until an STK push is paid
	Kind              string // TxC2B or TxSTK
	State             string // TxPending, TxCompleted, ...
	Phone             string // the payer's plain number
	FirstName         string
	BillRef           string // BillRefNumber, or the STK AccountReference
	Amount            money.Amount
	Time              time.Time // UTC
	CheckoutRequestID string    // STK only
	MerchantRequestID string    // STK only
	ResultCode        int       // STK result
	ResultDesc        string
}

type simTx struct{ SimTransaction }

// CallbackKind names what a callback carries.
type CallbackKind string

const (
	KindValidation     CallbackKind = "c2b-validation"
	KindConfirmation   CallbackKind = "c2b-confirmation"
	KindSTK            CallbackKind = "stk-callback"
	KindStatusResult   CallbackKind = "status-result"
	KindReversalResult CallbackKind = "reversal-result"
	KindQueueTimeout   CallbackKind = "queue-timeout"
)

// SimCallback is one callback the simulator posted, is holding, or dropped.
// Each copy of a duplicated callback has its own record.
type SimCallback struct {
	ID      int // position in Callbacks(), from 1
	Kind    CallbackKind
	URL     string
	Body    json.RawMessage
	Ref     string // the receipt, CheckoutRequestID or ConversationID it concerns
	Copy    int    // 1 for the first copy
	Dropped bool   // never sent, on purpose
	Held    bool   // waiting to be sent out of order
	SentSeq int    // order of sending across all callbacks, from 1; 0 until sent
	SentAt  time.Time
	Status  int    // HTTP status of the reply; 0 when there was none
	Reply   string // the reply's start
	Err     string // why there was no reply
}

// Transactions returns every transaction so far, oldest first.
func (s *Simulator) Transactions() []SimTransaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SimTransaction, len(s.txs))
	for i, t := range s.txs {
		out[i] = t.SimTransaction
	}
	return out
}

// Transaction finds a transaction by receipt or CheckoutRequestID.
func (s *Simulator) Transaction(ref string) (SimTransaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byReceipt[ref]; ok {
		return t.SimTransaction, true
	}
	if t, ok := s.byCheckout[ref]; ok {
		return t.SimTransaction, true
	}
	return SimTransaction{}, false
}

// Callbacks returns every callback record so far, in the order they were
// scheduled (SentSeq gives the order they went out).
func (s *Simulator) Callbacks() []SimCallback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.callbacks)
}

// addTx stores a transaction; s.mu held.
func (s *Simulator) addTx(t SimTransaction) *simTx {
	tx := &simTx{t}
	s.txs = append(s.txs, tx)
	if t.Receipt != "" {
		s.byReceipt[t.Receipt] = tx
	}
	if t.CheckoutRequestID != "" {
		s.byCheckout[t.CheckoutRequestID] = tx
	}
	return tx
}
