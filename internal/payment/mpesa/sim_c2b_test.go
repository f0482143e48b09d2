package mpesa

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func TestPayBillValidatesThenConfirms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		form    MSISDNForm
		want    string
	}{
		{"v1", MSISDNByVersion, hashed149},
		{"v2", MSISDNByVersion, "2547 ***** 149"},
		{"v1", MSISDNPlain, "254708374149"},
		{"v2", MSISDNHashed, hashed149},
		{"v1", MSISDNMasked, "2547 ***** 149"},
	} {
		t.Run(tc.version+"/"+tc.want, func(t *testing.T) {
			t.Parallel()
			b := setup(t, SimConfig{MSISDNForm: tc.form, OpeningBalance: money.MustFromMajor(1000)})
			b.register(t, tc.version)
			receipt, err := b.sim.PayBill(t.Context(), "0708374149", "545 0032 0905", money.MustFromMajor(500))
			if err != nil {
				t.Fatal(err)
			}
			b.sim.Wait()
			val, conf := b.rcv.at("/c2b/validation"), b.rcv.at("/c2b/confirmation")
			if len(val) != 1 || len(conf) != 1 {
				t.Fatalf("%d validations, %d confirmations", len(val), len(conf))
			}
			v, c := val[0].value.(C2B), conf[0].value.(C2B)
			if c.TransID != receipt || v.TransID != receipt || c.MSISDN != tc.want || v.MSISDN != tc.want {
				t.Errorf("confirmation %+v", c)
			}
			if c.Amount != money.MustFromMajor(500) || c.BillRef != "545 0032 0905" || c.ShortCode != SandboxShortCode ||
				c.TransactionType != "Pay Bill" || !c.TransTime.Equal(sampleTime) || c.FirstName == "" {
				t.Errorf("confirmation %+v", c)
			}
			if v.OrgAccountBalance != "" || c.OrgAccountBalance != "1500.00" {
				t.Errorf("balances: validation %q, confirmation %q", v.OrgAccountBalance, c.OrgAccountBalance)
			}
			cbs := b.sim.Callbacks()
			if len(cbs) != 2 || cbs[0].Kind != KindValidation || cbs[1].Kind != KindConfirmation ||
				cbs[0].SentSeq >= cbs[1].SentSeq || cbs[1].Status != 200 || !strings.Contains(cbs[1].Reply, "Success") {
				t.Errorf("records %+v", cbs)
			}
			tx, ok := b.sim.Transaction(receipt)
			if !ok || tx.State != TxCompleted || tx.Phone != "254708374149" || tx.Kind != TxC2B {
				t.Errorf("transaction %+v", tx)
			}
		})
	}
}

func TestHashMSISDNMatchesSamples(t *testing.T) {
	t.Parallel()
	if got := HashMSISDN("254708374149"); got != hashed149 {
		t.Errorf("HashMSISDN = %s", got)
	}
	if got := maskMSISDN("254708374149"); got != "2547 ***** 149" {
		t.Errorf("maskMSISDN = %s", got)
	}
}

func TestPayBillAmountFormsAlternate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		form AmountForm
		want []string
	}{
		{AmountAlternate, []string{`"TransAmount":"500.00"`, `"TransAmount":500`}},
		{AmountString, []string{`"TransAmount":"500.00"`, `"TransAmount":"500.00"`}},
		{AmountNumber, []string{`"TransAmount":500`, `"TransAmount":500`}},
	} {
		b := setup(t, SimConfig{AmountForm: tc.form})
		b.register(t, "v1")
		for range 2 {
			if _, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(500)); err != nil {
				t.Fatal(err)
			}
		}
		b.sim.Wait()
		var forms []string
		for _, g := range b.rcv.at("/c2b/confirmation") {
			if g.value.(C2B).Amount != money.MustFromMajor(500) {
				t.Errorf("decoded amount %v", g.value.(C2B).Amount)
			}
			for _, w := range tc.want {
				if strings.Contains(string(g.raw), w) {
					forms = append(forms, w)
					break
				}
			}
		}
		slices.Sort(forms)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(forms, want) {
			t.Errorf("form %d: amounts written as %v, want %v", tc.form, forms, want)
		}
	}
}

func TestValidationRejects(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.rcv.validate = func(c C2B) ValidationResponse {
		if c.BillRef == "BAD" {
			return Reject(C2BInvalidAccount)
		}
		return ValidationResponse{ResultCode: "0", ResultDesc: "Accepted", ThirdPartyTransID: "mteja-1"}
	}
	b.register(t, "v1")
	_, err := b.sim.PayBill(t.Context(), "0708374149", "BAD", money.MustFromMajor(100))
	if !errors.Is(err, ErrValidationRejected) || !strings.Contains(err.Error(), C2BInvalidAccount) {
		t.Fatalf("PayBill to a bad account: %v", err)
	}
	receipt, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(100))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	conf := b.rcv.at("/c2b/confirmation")
	if len(conf) != 1 || conf[0].value.(C2B).TransID != receipt {
		t.Fatalf("confirmations %+v", conf)
	}
	if got := conf[0].value.(C2B).ThirdPartyTransID; got != "mteja-1" {
		t.Errorf("ThirdPartyTransID echoed as %q", got)
	}
	txs := b.sim.Transactions()
	if len(txs) != 2 || txs[0].State != TxRejected || txs[1].State != TxCompleted {
		t.Errorf("transactions %+v", txs)
	}
	// The rejected payment never happened: the status query does not find it.
	if _, err := b.client.TransactionStatus(t.Context(), txs[0].Receipt, b.rcv.url("/status/result"), b.rcv.url("/status/timeout"), ""); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if res := b.rcv.at("/status/result"); len(res) != 1 || !res[0].value.(StatusResult).NotFound() {
		t.Errorf("status of a rejected payment: %+v", res)
	}
}

func TestValidationSilenceAppliesResponseType(t *testing.T) {
	t.Parallel()
	for _, rt := range []string{ResponseCompleted, ResponseCancelled} {
		t.Run(rt, func(t *testing.T) {
			t.Parallel()
			b := setup(t, SimConfig{ValidationTimeout: 20 * time.Millisecond})
			b.rcv.block = make(chan struct{}) // never closed: the validation URL never answers
			if _, err := b.client.RegisterC2BURLs(t.Context(), b.rcv.url("/c2b/confirmation"), b.rcv.url("/c2b/validation"), rt); err != nil {
				t.Fatal(err)
			}
			_, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(100))
			b.sim.Wait()
			n := len(b.rcv.at("/c2b/confirmation"))
			if rt == ResponseCompleted && (err != nil || n != 1) {
				t.Errorf("Completed: err %v, %d confirmations", err, n)
			}
			if rt == ResponseCancelled && (!errors.Is(err, ErrValidationRejected) || n != 0) {
				t.Errorf("Cancelled: err %v, %d confirmations", err, n)
			}
		})
	}
}

func TestPayBillNeedsRegistration(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	if _, err := b.client.RegisterC2BURLs(t.Context(), b.rcv.url("/c2b/confirmation"), "", ResponseCompleted); err == nil {
		t.Fatal("the client let an empty validation URL through") // Daraja needs both
	}
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "x", money.MustFromMajor(10)); err == nil {
		t.Error("PayBill without registered URLs succeeded")
	}
}

func TestSkipValidation(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{SkipValidation: true})
	b.rcv.validate = func(C2B) ValidationResponse { return Reject(C2BInvalidAccount) }
	b.register(t, "v1")
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "NO SUCH METER", money.MustFromMajor(10)); err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	if v, c := len(b.rcv.at("/c2b/validation")), len(b.rcv.at("/c2b/confirmation")); v != 0 || c != 1 {
		t.Errorf("%d validations, %d confirmations", v, c)
	}
}

func TestPayBillRefusesBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	for name, tc := range map[string]struct {
		phone  string
		amount money.Amount
	}{
		"cents": {"0708374149", 1050}, "zero": {"0708374149", 0}, "too much": {"0708374149", money.MustFromMajor(250_001)},
		"bad phone": {"07", 100},
	} {
		if _, err := b.sim.PayBill(t.Context(), tc.phone, "x", tc.amount); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRegisterURLs(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	resp, err := b.client.RegisterC2BURLs(t.Context(), b.rcv.url("/c2b/confirmation"), b.rcv.url("/c2b/validation"), ResponseCompleted)
	if err != nil || resp.ResponseCode != "0" || resp.OriginatorConversationID == "" || resp.ResponseDescription != "Success" {
		t.Fatalf("register: %+v, %v", resp, err)
	}
	_, err = b.client.RegisterC2BURLs(t.Context(), b.rcv.url("/c2b/confirmation"), b.rcv.url("/c2b/validation"), ResponseCompleted)
	if !IsAlreadyRegistered(err) {
		t.Errorf("second registration: %v", err)
	}
	for _, tc := range []struct{ conf, rt string }{
		{"https://pay.example.co.ke/mpesa/confirm", ResponseCompleted},
		{"https://pay.example.co.ke/c2b/confirm", "completed"},
	} {
		before := b.count.api.Load()
		if _, err := b.client.RegisterC2BURLs(t.Context(), tc.conf, b.rcv.url("/c2b/validation"), tc.rt); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%+v: %v", tc, err)
		}
		if b.count.api.Load() != before {
			t.Errorf("%+v was sent", tc)
		}
	}
}

func TestSimulatorRefusesRefusedWords(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	// Straight to the simulator, past the client's own check.
	f, err := b.client.call(t.Context(), "/mpesa/c2b/v1/registerurl", map[string]string{
		"ShortCode": b.sim.ShortCode(), "ResponseType": ResponseCompleted,
		"ConfirmationURL": "https://pay.example.co.ke/SQL/confirm", "ValidationURL": b.rcv.url("/v"),
	})
	var e *APIError
	if !errors.As(err, &e) || e.Message != "Bad Request - Invalid ConfirmationURL" || f != nil {
		t.Errorf("register with a refused word: %v", err)
	}
}

func TestSimulateC2BEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	if _, err := b.client.SimulateC2B(t.Context(), "0708374149", "54500320905", money.MustFromMajor(10)); err == nil {
		t.Error("simulate before registration succeeded")
	}
	b.register(t, "v2")
	resp, err := b.client.SimulateC2B(t.Context(), "0708374149", "54500320905", money.MustFromMajor(10))
	if err != nil || resp.ResponseCode != "0" || resp.OriginatorConversationID == "" {
		t.Fatalf("simulate: %+v, %v", resp, err)
	}
	b.sim.Wait()
	conf := b.rcv.at("/c2b/confirmation")
	if len(conf) != 1 || conf[0].value.(C2B).MSISDN != "2547 ***** 149" || conf[0].value.(C2B).Amount != money.MustFromMajor(10) {
		t.Errorf("confirmations %+v", conf)
	}
}
