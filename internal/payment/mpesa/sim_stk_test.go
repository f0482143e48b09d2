package mpesa

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func push(b *bundle, phone string, amount money.Amount) STKPushRequest {
	return STKPushRequest{
		Phone: phone, Amount: amount, AccountReference: "54500320905", Description: "Token",
		CallbackURL: b.rcv.url("/stk/callback"),
	}
}

func TestSTKPushCallbackArrives(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	resp, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(500)))
	if err != nil {
		t.Fatal(err)
	}
	if resp.CheckoutRequestID == "" || resp.MerchantRequestID == "" || resp.ResponseCode != "0" {
		t.Fatalf("response %+v", resp)
	}
	b.sim.Wait()
	got := b.rcv.at("/stk/callback")
	if len(got) != 1 {
		t.Fatalf("%d callbacks arrived", len(got))
	}
	cb := got[0].value.(STKCallback)
	tx, ok := b.sim.Transaction(resp.CheckoutRequestID)
	if !ok || tx.State != TxCompleted {
		t.Fatalf("simulator transaction %+v", tx)
	}
	want := STKCallback{
		MerchantRequestID: resp.MerchantRequestID, CheckoutRequestID: resp.CheckoutRequestID,
		ResultCode: 0, ResultDesc: CustomerPays.ResultDesc, Amount: money.MustFromMajor(500),
		Receipt: tx.Receipt, TransactionDate: sampleTime, Phone: "254708374149",
	}
	if cb != want {
		t.Errorf("callback %+v\nwant     %+v", cb, want)
	}
	if !isReceipt(cb.Receipt) {
		t.Errorf("receipt %q", cb.Receipt)
	}
	q, err := b.client.STKQuery(t.Context(), resp.CheckoutRequestID)
	if err != nil || !q.Succeeded() || q.CheckoutRequestID != resp.CheckoutRequestID {
		t.Errorf("query %+v, %v", q, err)
	}
}

func TestSTKMetadataShapesAlternate(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	for range 2 {
		if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(20))); err != nil {
			t.Fatal(err)
		}
		b.sim.Wait()
	}
	got := b.rcv.at("/stk/callback")
	if len(got) != 2 {
		t.Fatalf("%d callbacks", len(got))
	}
	withBalance := 0
	for _, g := range got {
		if strings.Contains(string(g.raw), `{"Name":"Balance"}`) {
			withBalance++
		}
		if cb := g.value.(STKCallback); cb.Amount != money.MustFromMajor(20) || cb.Phone != "254708374149" {
			t.Errorf("decoded %+v", cb)
		}
	}
	if withBalance != 1 {
		t.Errorf("%d of 2 callbacks had a valueless Balance; want exactly one (the other reordered)", withBalance)
	}
}

func TestSTKPhoneBehaviours(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	phones := map[string]Behaviour{
		"0711000001": CustomerCancels, "0711000002": PhoneUnreachable,
		"0711000003": InsufficientFunds, "0711000004": WrongPIN, "0711000005": CustomerPays,
	}
	for p, beh := range phones {
		b.sim.SetPhoneBehaviour(p, beh)
	}
	checkout := map[string]string{}
	for p := range phones {
		resp, err := b.client.STKPush(t.Context(), push(b, p, money.MustFromMajor(50)))
		if err != nil {
			t.Fatal(err)
		}
		checkout[resp.CheckoutRequestID] = p
	}
	b.sim.Wait()
	got := b.rcv.at("/stk/callback")
	if len(got) != len(phones) {
		t.Fatalf("%d callbacks", len(got))
	}
	for _, g := range got {
		cb := g.value.(STKCallback)
		want := phones[checkout[cb.CheckoutRequestID]]
		if cb.ResultCode != want.ResultCode || cb.ResultDesc != want.ResultDesc || cb.Succeeded() != (want.ResultCode == 0) {
			t.Errorf("%s: got %d %q, want %+v", checkout[cb.CheckoutRequestID], cb.ResultCode, cb.ResultDesc, want)
		}
		if !cb.Succeeded() && (cb.Receipt != "" || cb.Amount != 0) {
			t.Errorf("a failed push carries metadata: %+v", cb)
		}
		q, err := b.client.STKQuery(t.Context(), cb.CheckoutRequestID)
		if err != nil || q.ResultCode != want.ResultCode {
			t.Errorf("query: %+v, %v", q, err)
		}
	}
}

func TestSTKBehaviourFunc(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.sim.SetBehaviour(func(_ string, a money.Amount) Behaviour {
		if a > money.MustFromMajor(100) {
			return InsufficientFunds
		}
		return CustomerPays
	})
	for _, amt := range []int64{100, 101} {
		if _, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(amt))); err != nil {
			t.Fatal(err)
		}
	}
	b.sim.Wait()
	codes := map[int]int{}
	for _, g := range b.rcv.at("/stk/callback") {
		codes[g.value.(STKCallback).ResultCode]++
	}
	if codes[0] != 1 || codes[STKInsufficientFunds] != 1 {
		t.Errorf("result codes %v", codes)
	}
}

func TestSTKQueryWhilePending(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{STKDelay: time.Hour})
	resp, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.client.STKQuery(t.Context(), resp.CheckoutRequestID)
	if !IsProcessing(err) {
		t.Errorf("query of a pending push: %v", err)
	}
	if _, err := b.client.STKQuery(t.Context(), "ws_CO_nosuch"); err == nil || IsProcessing(err) {
		t.Errorf("query of an unknown push: %v", err)
	}
	tx, _ := b.sim.Transaction(resp.CheckoutRequestID)
	if tx.State != TxPending {
		t.Errorf("state %s", tx.State)
	}
}

func TestDroppedSTKCallbackFoundByQuery(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.sim.SetFaults(Faults{Drop: true, Kinds: []CallbackKind{KindSTK}})
	resp, err := b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(75)))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if n := len(b.rcv.at("/stk/callback")); n != 0 {
		t.Fatalf("%d callbacks arrived despite the drop", n)
	}
	cbs := b.sim.Callbacks()
	if len(cbs) != 1 || !cbs[0].Dropped || cbs[0].SentSeq != 0 || cbs[0].Ref != resp.CheckoutRequestID {
		t.Errorf("records %+v", cbs)
	}
	q, err := b.client.STKQuery(t.Context(), resp.CheckoutRequestID)
	if err != nil || !q.Succeeded() {
		t.Fatalf("query: %+v, %v", q, err)
	}
	// The receipt is not in the query; the status query finds the payment by
	// the receipt the customer reads from the SMS.
	tx, _ := b.sim.Transaction(resp.CheckoutRequestID)
	if _, err := b.client.TransactionStatus(t.Context(), tx.Receipt, b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), ""); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	res := b.rcv.at("/status/result")
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	if r := res[0].value.(StatusResult); !r.Completed() || r.ReceiptNo != tx.Receipt || r.Amount != money.MustFromMajor(75) {
		t.Errorf("result %+v", r)
	}
}

func TestSimulatorRefusesBadPushes(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{MaxAmount: money.MustFromMajor(1000)})
	wrongKey := b.newClient()
	wrongKey.Passkey = "not-the-passkey"
	_, err := wrongKey.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	var e *APIError
	if !errors.As(err, &e) || e.Code != CodeInternal || e.Message != "Wrong credentials" || e.HTTPStatus != 500 || e.RequestID == "" {
		t.Errorf("wrong passkey: %v", err)
	}
	wrongCode := b.newClient()
	wrongCode.ShortCode = "600000"
	_, err = wrongCode.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(10)))
	if !errors.As(err, &e) || e.Code != CodeBadRequest || e.Message != "Bad Request - Invalid BusinessShortCode" || e.HTTPStatus != 400 {
		t.Errorf("wrong short code: %v", err)
	}
	_, err = b.client.STKPush(t.Context(), push(b, "0708374149", money.MustFromMajor(1001)))
	if !errors.As(err, &e) || e.Message != "Bad Request - Invalid Amount" {
		t.Errorf("amount above the maximum: %v", err)
	}
	r := push(b, "0708374149", money.MustFromMajor(10))
	r.CallbackURL = "not a url"
	if _, err = b.client.STKPush(t.Context(), r); !errors.As(err, &e) || e.Message != "Bad Request - Invalid CallBackURL" {
		t.Errorf("bad callback url: %v", err)
	}
	if n := len(b.sim.Transactions()); n != 0 {
		t.Errorf("refused pushes left %d transactions", n)
	}
}

func TestClientChecksPushBeforeSending(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	long := "1234567890123"
	for name, r := range map[string]STKPushRequest{
		"cents":           {Phone: "0708374149", Amount: 1050, AccountReference: "a", Description: "d", CallbackURL: "https://x.co.ke/cb"},
		"zero":            {Phone: "0708374149", Amount: 0, AccountReference: "a", Description: "d", CallbackURL: "https://x.co.ke/cb"},
		"bad phone":       {Phone: "12", Amount: 100, AccountReference: "a", Description: "d", CallbackURL: "https://x.co.ke/cb"},
		"long reference":  {Phone: "0708374149", Amount: 100, AccountReference: long, Description: "d", CallbackURL: "https://x.co.ke/cb"},
		"long desc":       {Phone: "0708374149", Amount: 100, AccountReference: "a", Description: long + "4", CallbackURL: "https://x.co.ke/cb"},
		"no callback":     {Phone: "0708374149", Amount: 100, AccountReference: "a", Description: "d"},
		"bad type":        {Phone: "0708374149", Amount: 100, AccountReference: "a", Description: "d", CallbackURL: "https://x.co.ke/cb", TransactionType: "Pay"},
		"empty reference": {Phone: "0708374149", Amount: 100, Description: "d", CallbackURL: "https://x.co.ke/cb"},
	} {
		if _, err := b.client.STKPush(t.Context(), r); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := b.count.oauth.Load() + b.count.api.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestBuyGoodsPush(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	r := push(b, "0708374149", money.MustFromMajor(10))
	r.TransactionType, r.PartyB = BuyGoodsOnline, "5001234"
	if _, err := b.client.STKPush(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if n := len(b.rcv.at("/stk/callback")); n != 1 {
		t.Errorf("%d callbacks", n)
	}
}

func TestSimulatorUnderPrefix(t *testing.T) {
	t.Parallel()
	sim := NewSimulator(SimConfig{})
	mux := http.NewServeMux()
	mux.Handle("/sim/daraja/", http.StripPrefix("/sim/daraja", sim))
	srv := httptest.NewServer(mux)
	rcv := newReceiver(t)
	t.Cleanup(func() { sim.Close(); srv.Close(); rcv.srv.Close() })
	c := &Client{BaseURL: srv.URL + "/sim/daraja/", ConsumerKey: "k", ConsumerSecret: "s", ShortCode: sim.ShortCode(), Passkey: sim.Passkey()}
	_, err := c.STKPush(t.Context(), STKPushRequest{Phone: "0708374149", Amount: 100, AccountReference: "a", Description: "d", CallbackURL: rcv.url("/stk/callback")})
	if err != nil {
		t.Fatal(err)
	}
	sim.Wait()
	if n := len(rcv.at("/stk/callback")); n != 1 {
		t.Errorf("%d callbacks", n)
	}
}
