package mpesa

import (
	"slices"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

func TestDroppedConfirmationRecoveredByStatusQuery(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	b.sim.SetFaults(Faults{Drop: true, Kinds: []CallbackKind{KindConfirmation}})
	receipt, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(500))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if n := len(b.rcv.at("/c2b/confirmation")); n != 0 {
		t.Fatalf("%d confirmations arrived despite the drop", n)
	}
	var dropped []SimCallback
	for _, c := range b.sim.Callbacks() {
		if c.Dropped {
			dropped = append(dropped, c)
		}
	}
	if len(dropped) != 1 || dropped[0].Kind != KindConfirmation || dropped[0].Ref != receipt {
		t.Fatalf("dropped records %+v", dropped)
	}

	// The customer says "I paid but got no token" and gives the receipt.
	acc, err := b.client.TransactionStatus(t.Context(), receipt, b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), "lost callback")
	if err != nil {
		t.Fatal(err)
	}
	if acc.ResponseCode != "0" || acc.ConversationID == "" || acc.OriginatorConversationID == "" {
		t.Fatalf("accepted %+v", acc)
	}
	b.sim.Wait()
	res := b.rcv.at("/status/result")
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	r := res[0].value.(StatusResult)
	if !r.Completed() || r.ReceiptNo != receipt || r.Amount != money.MustFromMajor(500) ||
		r.ConversationID != acc.ConversationID || r.OriginatorConversationID != acc.OriginatorConversationID ||
		r.DebitPartyName == "" || r.FinalisedTime.IsZero() || r.ReasonType == "" {
		t.Errorf("result %+v", r)
	}
	if len(b.rcv.at("/status/timeout")) != 0 {
		t.Error("a queue timeout arrived without being asked for")
	}
}

func TestDuplicateCallbacksConcurrently(t *testing.T) {
	t.Parallel()
	for _, concurrent := range []bool{false, true} {
		b := setup(t, SimConfig{})
		b.register(t, "v1")
		b.sim.SetFaults(Faults{Copies: 3, Concurrent: concurrent})
		receipt, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(500))
		if err != nil {
			t.Fatal(err)
		}
		b.sim.Wait()
		conf := b.rcv.at("/c2b/confirmation")
		if len(conf) != 3 {
			t.Fatalf("concurrent=%v: %d confirmations, want 3", concurrent, len(conf))
		}
		for _, c := range conf {
			if c.value.(C2B).TransID != receipt {
				t.Errorf("copy for %s", c.value.(C2B).TransID)
			}
		}
		var copies []int
		for _, c := range b.sim.Callbacks() {
			if c.Kind == KindConfirmation {
				copies = append(copies, c.Copy)
			}
		}
		if !slices.Equal(copies, []int{1, 2, 3}) {
			t.Errorf("copy records %v", copies)
		}
		if n := len(b.rcv.at("/c2b/validation")); n != 1 {
			t.Errorf("validation faulted too: %d calls", n)
		}
	}
}

func TestDuplicateSTKCallbacks(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.sim.SetFaults(Faults{Copies: 3, Concurrent: true, Kinds: []CallbackKind{KindSTK}})
	resp, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	got := b.rcv.at("/stk/callback")
	if len(got) != 3 {
		t.Fatalf("%d callbacks", len(got))
	}
	for _, g := range got {
		if g.value.(STKCallback).CheckoutRequestID != resp.CheckoutRequestID {
			t.Errorf("callback %+v", g.value)
		}
	}
}

func TestReorderedCallbacks(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	b.sim.SetFaults(Faults{Reorder: 3, Kinds: []CallbackKind{KindConfirmation}})
	var receipts []string
	for i := range 3 {
		r, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(int64(100+i)))
		if err != nil {
			t.Fatal(err)
		}
		receipts = append(receipts, r)
		if i < 2 {
			b.sim.Wait()
			if n := len(b.rcv.at("/c2b/confirmation")); n != 0 {
				t.Fatalf("a held confirmation arrived after payment %d", i+1)
			}
			if held := countHeld(b.sim); held != i+1 {
				t.Fatalf("%d held, want %d", held, i+1)
			}
		}
	}
	b.sim.Wait()
	var arrived []string
	for _, c := range b.rcv.at("/c2b/confirmation") {
		arrived = append(arrived, c.value.(C2B).TransID)
	}
	slices.Reverse(receipts)
	if !slices.Equal(arrived, receipts) {
		t.Errorf("arrived %v, want newest first %v", arrived, receipts)
	}
	if held := countHeld(b.sim); held != 0 {
		t.Errorf("%d still held", held)
	}
}

func TestReleaseHeld(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.sim.SetFaults(Faults{Reorder: 10})
	var ids []string
	for range 2 {
		resp, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.CheckoutRequestID)
		b.sim.Wait() // hold them in push order
	}
	if len(b.rcv.at("/stk/callback")) != 0 || countHeld(b.sim) != 2 {
		t.Fatalf("held %d, arrived %d", countHeld(b.sim), len(b.rcv.at("/stk/callback")))
	}
	// Held callbacks are decided already: the query sees the outcome.
	if q, err := b.client.STKQuery(t.Context(), ids[0]); err != nil || !q.Succeeded() {
		t.Errorf("query of a held push: %+v, %v", q, err)
	}
	b.sim.ReleaseHeld()
	b.sim.Wait()
	var arrived []string
	for _, g := range b.rcv.at("/stk/callback") {
		arrived = append(arrived, g.value.(STKCallback).CheckoutRequestID)
	}
	if !slices.Equal(arrived, []string{ids[1], ids[0]}) {
		t.Errorf("arrived %v, want newest first of %v", arrived, ids)
	}
}

func TestFaultsCanBeCleared(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	b.sim.SetFaults(Faults{Drop: true})
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "1", money.MustFromMajor(10)); err != nil {
		t.Fatal(err)
	}
	b.sim.SetFaults(Faults{})
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "2", money.MustFromMajor(10)); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	conf := b.rcv.at("/c2b/confirmation")
	if len(conf) != 1 || conf[0].value.(C2B).BillRef != "2" {
		t.Errorf("confirmations %+v", conf)
	}
}

func TestDelayedCallbackStillArrives(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	b.sim.SetFaults(Faults{Delay: 10_000_000}) // 10 ms
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "1", money.MustFromMajor(10)); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if n := len(b.rcv.at("/c2b/confirmation")); n != 1 {
		t.Errorf("%d confirmations", n)
	}
}

func countHeld(s *Simulator) int {
	n := 0
	for _, c := range s.Callbacks() {
		if c.Held {
			n++
		}
	}
	return n
}
