package mpesa

import (
	"errors"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

func TestStatusQueryNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	if _, err := b.client.TransactionStatus(t.Context(), "SKL51ZDR00", b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), ""); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	res := b.rcv.at("/status/result")
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	r := res[0].value.(StatusResult)
	if !r.NotFound() || r.ResultCode != "R000002" || r.References["QueueTimeoutURL"] != b.rcv.url("/status/timeout") {
		t.Errorf("result %+v", r)
	}
}

func TestQueueTimeoutBeforeResult(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	receipt, err := b.sim.PayBill(t.Context(), "0708374149", "1", money.MustFromMajor(10))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.SetFaults(Faults{QueueTimeout: true})
	acc, err := b.client.TransactionStatus(t.Context(), receipt, b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), "")
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	timeouts, results := b.rcv.at("/status/timeout"), b.rcv.at("/status/result")
	if len(timeouts) != 1 || len(results) != 1 {
		t.Fatalf("%d timeouts, %d results", len(timeouts), len(results))
	}
	to := timeouts[0].value.(StatusResult)
	if to.Succeeded() || to.ConversationID != acc.ConversationID {
		t.Errorf("timeout notice %+v", to)
	}
	if !results[0].value.(StatusResult).Completed() {
		t.Errorf("result %+v", results[0].value)
	}
	var toSeq, resSeq int
	for _, c := range b.sim.Callbacks() {
		switch c.Kind {
		case KindQueueTimeout:
			toSeq = c.SentSeq
		case KindStatusResult:
			resSeq = c.SentSeq
		}
	}
	if toSeq == 0 || resSeq == 0 || toSeq > resSeq {
		t.Errorf("sent seqs: timeout %d, result %d", toSeq, resSeq)
	}
}

func TestReversal(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	receipt, err := b.sim.PayBill(t.Context(), "0708374149", "1", money.MustFromMajor(300))
	if err != nil {
		t.Fatal(err)
	}
	rev := ReversalRequest{Receipt: receipt, Amount: money.MustFromMajor(300), ResultURL: b.rcv.url("/reversal/result"), TimeoutURL: b.rcv.url("/reversal/timeout")}
	wrong := rev
	wrong.Amount = money.MustFromMajor(299)
	var e *APIError
	if _, err := b.client.Reverse(t.Context(), wrong); !errors.As(err, &e) || e.Message != "Bad Request - Invalid Amount" {
		t.Errorf("reversal of the wrong amount: %v", err)
	}
	for range 2 {
		if _, err := b.client.Reverse(t.Context(), rev); err != nil {
			t.Fatal(err)
		}
		b.sim.Wait()
	}
	res := b.rcv.at("/reversal/result")
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	first, second := res[0].value.(StatusResult), res[1].value.(StatusResult)
	if !first.Succeeded() || first.Parameters["OriginalTransactionID"] != receipt || first.Amount != money.MustFromMajor(300) || first.TransactionID == receipt {
		t.Errorf("first reversal %+v", first)
	}
	if second.ResultCode != ResultAlreadyReversed {
		t.Errorf("second reversal %+v", second)
	}
	if tx, _ := b.sim.Transaction(receipt); tx.State != TxReversed {
		t.Errorf("state %s", tx.State)
	}
	if _, err := b.client.TransactionStatus(t.Context(), receipt, b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), ""); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if r := b.rcv.at("/status/result")[0].value.(StatusResult); r.TransactionStatus != "Reversed" || r.Completed() {
		t.Errorf("status after reversal %+v", r)
	}
}

func TestWrongSecurityCredential(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{SecurityCredential: "the-right-one"})
	if _, err := b.client.TransactionStatus(t.Context(), "SKL51ZDR00", b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), ""); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if r := b.rcv.at("/status/result")[0].value.(StatusResult); r.ResultCode != "2001" {
		t.Errorf("result %+v", r)
	}
}

func TestDuplicateOriginatorConversationID(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	body := map[string]string{
		"Initiator": "apiop", "SecurityCredential": "x", "CommandID": "TransactionStatusQuery",
		"TransactionID": "SKL51ZDR00", "PartyA": b.sim.ShortCode(), "IdentifierType": "4",
		"ResultURL": b.rcv.url("/status/result"), "QueueTimeOutURL": b.rcv.url("/status/timeout"),
		"Remarks": "r", "OriginatorConversationID": "mteja-status-1",
	}
	f, err := b.client.call(t.Context(), "/mpesa/transactionstatus/v1/query", body)
	if err != nil || f.str("OriginatorConversationID") != "mteja-status-1" {
		t.Fatalf("first: %v", err)
	}
	if _, err := b.client.call(t.Context(), "/mpesa/transactionstatus/v1/query", body); !IsDuplicate(err) {
		t.Errorf("second: %v", err)
	}
}

func TestStatusQueryChecks(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	if _, err := b.client.TransactionStatus(t.Context(), "bad", b.rcv.url("/r"), b.rcv.url("/t"), ""); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("bad receipt: %v", err)
	}
	if _, err := b.client.TransactionStatus(t.Context(), "SKL51ZDR00", "https://x.co.ke/query", b.rcv.url("/t"), ""); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("refused word: %v", err)
	}
	noCred := b.newClient()
	noCred.SecurityCredential = ""
	if _, err := noCred.TransactionStatus(t.Context(), "SKL51ZDR00", b.rcv.url("/r"), b.rcv.url("/t"), ""); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("no credential: %v", err)
	}
	if n := b.count.api.Load(); n != 0 {
		t.Errorf("%d calls were sent", n)
	}
	_, err := b.client.call(t.Context(), "/mpesa/transactionstatus/v1/query", map[string]string{"CommandID": "TransactionReversal"})
	var e *APIError
	if !errors.As(err, &e) || e.Message != "Bad Request - Invalid CommandID" {
		t.Errorf("wrong command: %v", err)
	}
	_, err = b.client.call(t.Context(), "/mpesa/reversal/v1/request", map[string]any{
		"Initiator": "a", "SecurityCredential": "b", "CommandID": "TransactionReversal", "TransactionID": "SKL51ZDR00",
		"Amount": 10, "ReceiverParty": b.sim.ShortCode(), "ReceiverIdentifierType": "11",
		"ResultURL": b.rcv.url("/r"), "QueueTimeOutURL": b.rcv.url("/t"),
	})
	if !errors.As(err, &e) || e.Message != "Bad Request - Invalid RecieverIdentifierType" {
		t.Errorf("correctly spelled RecieverIdentifierType: %v", err)
	}
}
