package smpp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify/smpp"
	"github.com/mteja/mteja/internal/notify/smpp/smsctest"
	"github.com/mteja/mteja/internal/notify/sms"
)

// recorder collects what the Client reports.
type recorder struct {
	mu       sync.Mutex
	receipts []sms.Receipt
	inbound  []sms.Inbound
}

func (r *recorder) onReceipt(rc sms.Receipt) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.receipts = append(r.receipts, rc)
}

func (r *recorder) onInbound(in sms.Inbound) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inbound = append(r.inbound, in)
}

// receipt waits for the receipt of provider id.
func (r *recorder) receipt(t *testing.T, id string) sms.Receipt {
	t.Helper()
	var got sms.Receipt
	smsctest.Eventually(t, 5*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, rc := range r.receipts {
			if rc.ProviderID == id {
				got = rc
				return true
			}
		}
		return false
	}, "no receipt for %q; got %v", id, r.all())
	return got
}

func (r *recorder) all() []sms.Receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sms.Receipt(nil), r.receipts...)
}

// newClient binds a Client to s with test-friendly timings.
func newClient(t *testing.T, s *smsctest.SMSC, edit func(*smpp.Config)) (*smpp.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := smpp.Config{
		Addr:            s.Addr,
		SystemID:        smsctest.SystemID,
		Password:        smsctest.Password,
		TPS:             1000,
		Window:          50,
		ReconnectMin:    50 * time.Millisecond,
		ReconnectMax:    200 * time.Millisecond,
		BindWait:        time.Second,
		ResponseTimeout: 5 * time.Second,
		ReceiptPark:     time.Second,
		OnReceipt:       rec.onReceipt,
		OnInbound:       rec.onInbound,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := smpp.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if cfg.Password == smsctest.Password {
		if err := c.WaitBound(ctx); err != nil {
			t.Fatalf("WaitBound: %v", err)
		}
	}
	return c, rec
}

func send(t *testing.T, c *smpp.Client, msg sms.Message) sms.SubmitResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.Send(ctx, msg)
	if err != nil {
		t.Fatalf("Send %s: %v", msg.ID, err)
	}
	return res
}

func TestSendAndReceipt(t *testing.T) {
	s := smsctest.Start(t)
	p := smsctest.Ptr[string]
	b := smsctest.Ptr[bool]
	tests := []struct {
		name string
		set  smsctest.Settings
	}{
		{"decimal ids", smsctest.Settings{}},
		{"hex ids", smsctest.Settings{IDForm: p("hex")}},
		{"hex response, decimal receipt text, no TLV", smsctest.Settings{IDForm: p("mixed"), ReceiptTLV: b(false)}},
		{"hex response, decimal text, hex TLV", smsctest.Settings{IDForm: p("mixed")}},
		{"quirky receipt text", smsctest.Settings{ReceiptStyle: p("quirky"), ReceiptTLV: b(false)}},
		{"receipt before its response", smsctest.Settings{ReceiptFirst: b(true)}},
		// 0x10000000 is "10000000" in hex: digits only, so only the ids
		// the client remembers can tell it from ten million.
		{"digits-only hex response, decimal receipt", smsctest.Settings{IDForm: p("mixed"), ReceiptTLV: b(false), NextID: smsctest.Ptr[int64](0x10000000)}},
		{"digits-only hex, receipt first", smsctest.Settings{IDForm: p("mixed"), ReceiptTLV: b(false), ReceiptFirst: b(true), NextID: smsctest.Ptr[int64](0x10000000)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Reset()
			s.Configure(tt.set)
			c, rec := newClient(t, s, nil)
			msg := sms.Message{ID: fmt.Sprint("m", i), To: fmt.Sprintf("2547000000%02d", i), From: "KPLC", Text: "Tokeni yako: 1234 5678 9012 3456 7890"}
			res := send(t, c, msg)
			if res.Parts != 1 || len(res.ProviderIDs) != 1 || res.ProviderIDs[0] == "" {
				t.Fatalf("result = %+v, want one part with an id", res)
			}
			rc := rec.receipt(t, res.ProviderIDs[0])
			if rc.State != sms.StateDelivered || rc.Raw == "" {
				t.Errorf("receipt = %+v, want delivered with raw text", rc)
			}
			st := s.Stats()
			if len(st.Submits) != 1 {
				t.Fatalf("SMSC got %d submits, want 1", len(st.Submits))
			}
			sub := st.Submits[0]
			if sub.Source != "KPLC" || sub.SourceTON != 5 || sub.SourceNPI != 0 ||
				sub.Dest != msg.To || sub.DestTON != 1 || sub.DestNPI != 1 ||
				sub.RegisteredDelivery != 1 || sub.DataCoding != 0 || sub.ESMClass != 0 || sub.UDH != "" {
				t.Errorf("submit_sm = %+v", sub)
			}
			if sub.Text != msg.Text {
				t.Errorf("SMSC decoded %q, want %q", sub.Text, msg.Text)
			}
		})
	}
}

func TestUndeliverableAndNumericSender(t *testing.T) {
	s := smsctest.Start(t)
	s.Configure(smsctest.Settings{UndelivSuffix: smsctest.Ptr("99")})
	c, rec := newClient(t, s, nil)
	res := send(t, c, sms.Message{ID: "u1", To: "254700000099", From: "254711000111", Text: "Habari"})
	rc := rec.receipt(t, res.ProviderIDs[0])
	if rc.State != sms.StateUndeliverable || rc.ErrCode != "001" {
		t.Errorf("receipt = %+v, want undeliverable with err 001", rc)
	}
	sub := s.Stats().Submits[0]
	if sub.SourceTON != 1 || sub.SourceNPI != 1 {
		t.Errorf("numeric sender went with TON %d NPI %d, want 1/1", sub.SourceTON, sub.SourceNPI)
	}
}

func TestLongMessages(t *testing.T) {
	s := smsctest.Start(t)
	c, rec := newClient(t, s, nil)
	tests := []struct {
		name   string
		text   string
		parts  int
		coding int
	}{
		{"160 GSM characters stay one part", strings.Repeat("1234567890", 16), 1, 0},
		{"long GSM with euro and braces", strings.Repeat("Tokeni {1234} bei €5. ", 9) + "Asante!", 2, 0},
		{"UCS-2 with emoji", "Asante sana kwa malipo yako 🙏 — tokeni yako ni 1234 5678 9012 3456 7890. Karibu tena’", 2, 8},
		{"short UCS-2", "Karibu 🙏", 1, 8},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Reset()
			to := fmt.Sprintf("2547100000%02d", i)
			res := send(t, c, sms.Message{ID: "l", To: to, From: "KPLC", Text: tt.text})
			if res.Parts != tt.parts || len(res.ProviderIDs) != tt.parts {
				t.Fatalf("result = %+v, want %d parts", res, tt.parts)
			}
			subs := s.Stats().Submits
			if len(subs) != tt.parts {
				t.Fatalf("SMSC got %d submits, want %d", len(subs), tt.parts)
			}
			var text strings.Builder
			var ref string
			for j, sub := range subs {
				if sub.DataCoding != tt.coding {
					t.Errorf("part %d data_coding %d, want %d", j+1, sub.DataCoding, tt.coding)
				}
				text.WriteString(sub.Text)
				if tt.parts == 1 {
					if sub.ESMClass != 0 || sub.UDH != "" {
						t.Errorf("single part has esm_class %#x UDH %q", sub.ESMClass, sub.UDH)
					}
					continue
				}
				// 05 00 03 ref total seq
				if sub.ESMClass&0x40 == 0 || len(sub.UDH) != 12 || !strings.HasPrefix(sub.UDH, "050003") {
					t.Fatalf("part %d: esm_class %#x UDH %q, want 0x40 and 050003...", j+1, sub.ESMClass, sub.UDH)
				}
				if j == 0 {
					ref = sub.UDH[6:8]
				}
				if want := fmt.Sprintf("050003%s%02x%02x", ref, tt.parts, j+1); sub.UDH != want {
					t.Errorf("part %d UDH %s, want %s", j+1, sub.UDH, want)
				}
			}
			if text.String() != tt.text {
				t.Errorf("parts rebuild %q, want %q", text.String(), tt.text)
			}
			for _, id := range res.ProviderIDs {
				if rc := rec.receipt(t, id); rc.State != sms.StateDelivered {
					t.Errorf("part %s: %v", id, rc.State)
				}
			}
		})
	}
}

func TestStatusClasses(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.ThrottleRetries = 1 })
	tests := []struct {
		name    string
		arrange func()
		want    error
	}{
		{"queue full", func() { s.Fail(0x14, 1) }, sms.ErrTemporary},
		{"system error", func() { s.Fail(0x08, 1) }, sms.ErrTemporary},
		{"invalid destination", func() { s.Fail(0x0B, 1) }, sms.ErrPermanent},
		{"submit failed", func() { s.Fail(0x45, 1) }, sms.ErrTemporary},
		{"invalid bind status", func() { s.Fail(0x04, 1) }, sms.ErrTemporary},
		{"throttled beyond the retries", func() { s.ThrottleNext(5) }, sms.ErrThrottled},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Reset()
			tt.arrange()
			to := fmt.Sprintf("2547200000%02d", i)
			_, err := c.Send(context.Background(), sms.Message{ID: "s", To: to, From: "KPLC", Text: "hi"})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, other := range []error{sms.ErrTemporary, sms.ErrPermanent, sms.ErrThrottled, sms.ErrUnknownOutcome, sms.ErrBindFailed} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("err %v is also %v", err, other)
				}
			}
			if n := s.Counts().PerDest[to]; n != 0 {
				t.Errorf("SMSC accepted %d for %s", n, to)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.WaitBound(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
	// ESME_RINVBNDSTS made the client bind again.
	if st := c.Stats(); st.Binds < 2 {
		t.Errorf("binds = %d after ESME_RINVBNDSTS, want a rebind", st.Binds)
	}
}

func TestInvalidMessages(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, nil)
	tests := []struct {
		name string
		msg  sms.Message
		want string
	}{
		{"plus sign", sms.Message{To: "+254700000001", From: "KPLC", Text: "x"}, "recipient"},
		{"national number", sms.Message{To: "07000", From: "KPLC", Text: "x"}, "recipient"},
		{"no sender", sms.Message{To: "254700000001", Text: "x"}, "sender ID is empty"},
		{"long alphanumeric sender", sms.Message{To: "254700000001", From: "KENYAPOWERLTD", Text: "x"}, "sender ID"},
		{"empty text", sms.Message{To: "254700000001", From: "KPLC"}, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Send(context.Background(), tt.msg)
			if !errors.Is(err, sms.ErrPermanent) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrPermanent mentioning %q", err, tt.want)
			}
		})
	}
	if n := s.Counts().Total; n != 0 {
		t.Errorf("SMSC got %d submits for invalid messages", n)
	}
}

func TestThrottlingSlowsTheRoute(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.TPS = 200 })
	s.ThrottleNext(2)
	send(t, c, sms.Message{ID: "t", To: "254730000001", From: "KPLC", Text: "hi"})
	st := c.Stats()
	if st.Throttled != 2 {
		t.Errorf("throttled = %d, want 2", st.Throttled)
	}
	// Each refusal of a submit sent at the current rate halves it.
	if st.TPS != 50 {
		t.Errorf("rate after two throttles = %v, want 50", st.TPS)
	}
	if n := s.Counts().PerDest["254730000001"]; n != 1 {
		t.Errorf("SMSC accepted %d, want exactly 1", n)
	}
}

func TestThrottleByRateDeliversEachOnce(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.TPS = 100 })
	s.ThrottleRate(25)
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := sms.Message{ID: fmt.Sprint(i), To: fmt.Sprintf("2547400000%02d", i), From: "KPLC", Text: "hi"}
			// The caller's retry: a throttled message was not accepted.
			for attempt := 0; attempt < 10; attempt++ {
				_, err := c.Send(context.Background(), msg)
				if !errors.Is(err, sms.ErrThrottled) {
					errs <- err
					return
				}
			}
			errs <- fmt.Errorf("%s still throttled after 10 sends", msg.ID)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	st := s.Counts()
	if st.Throttled == 0 {
		t.Fatal("the SMSC never throttled: the test proves nothing")
	}
	for i := range n {
		if got := st.PerDest[fmt.Sprintf("2547400000%02d", i)]; got != 1 {
			t.Errorf("message %d accepted %d times", i, got)
		}
	}
	if tps := c.Stats().TPS; tps >= 100 {
		t.Errorf("rate still %v after throttling", tps)
	}
}

func TestOutageLosesNothing(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.BindWait = 100 * time.Millisecond })

	type outcome struct {
		to  string
		err error
	}
	results := make(chan outcome, 100)
	sendAsync := func(to string) {
		go func() {
			_, err := c.Send(context.Background(), sms.Message{ID: to, To: to, From: "KPLC", Text: "tokeni"})
			results <- outcome{to, err}
		}()
	}

	// Three submits reach the SMSC and are never answered: when the
	// connection drops, their outcome is unknown.
	s.Blackhole(3)
	for i := range 3 {
		sendAsync(fmt.Sprintf("25475000000%d", i))
	}
	smsctest.Eventually(t, 5*time.Second, func() bool { return s.Counts().Total == 3 }, "blackholed submits did not arrive")
	s.Stop(1500 * time.Millisecond)
	for range 3 {
		o := <-results
		if !errors.Is(o.err, sms.ErrUnknownOutcome) {
			t.Errorf("in flight at the outage, %s: err = %v, want ErrUnknownOutcome", o.to, o.err)
		}
	}
	smsctest.Eventually(t, 5*time.Second, func() bool { return !c.Stats().Bound }, "client did not notice the outage")

	// During the outage sends fail as temporary; the caller retries them
	// until they pass. None may be lost or doubled.
	var temporary int
	for i := range 10 {
		to := fmt.Sprintf("2547600000%02d", i)
		for {
			_, err := c.Send(context.Background(), sms.Message{ID: to, To: to, From: "KPLC", Text: "tokeni"})
			if err == nil {
				break
			}
			if !errors.Is(err, sms.ErrTemporary) {
				t.Fatalf("send during outage: %v", err)
			}
			temporary++
			time.Sleep(50 * time.Millisecond)
		}
	}
	if temporary == 0 {
		t.Error("no send failed during the outage: the test proves nothing")
	}
	st := s.Counts()
	for i := range 3 {
		if got := st.PerDest[fmt.Sprintf("25475000000%d", i)]; got != 1 {
			t.Errorf("in-flight message %d reached the SMSC %d times", i, got)
		}
	}
	for i := range 10 {
		if got := st.PerDest[fmt.Sprintf("2547600000%02d", i)]; got != 1 {
			t.Errorf("outage message %d reached the SMSC %d times", i, got)
		}
	}
	if cs := c.Stats(); cs.Binds < 2 || cs.Reconnects < 1 || cs.Unknown != 3 {
		t.Errorf("client stats %+v: want a rebind and 3 unknown outcomes", cs)
	}
}

func TestBadPassword(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.Password = "wrong" })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.WaitBound(ctx); !errors.Is(err, sms.ErrBindFailed) {
		t.Fatalf("WaitBound: %v, want ErrBindFailed", err)
	}
	_, err := c.Send(ctx, sms.Message{ID: "p", To: "254700000001", From: "KPLC", Text: "hi"})
	if !errors.Is(err, sms.ErrBindFailed) || !strings.Contains(err.Error(), "ESME_RINVPASWD") {
		t.Fatalf("Send: %v, want ErrBindFailed naming ESME_RINVPASWD", err)
	}
}

func TestInbound(t *testing.T) {
	s := smsctest.Start(t)
	_, rec := newClient(t, s, nil)
	if n := s.SendMO("254711222333", "22333", "BAL 01234567890 €", 0); n != 1 {
		t.Fatalf("MO went to %d sessions", n)
	}
	s.SendMO("254711222334", "22333", "Asante 🙏", 8)
	smsctest.Eventually(t, 5*time.Second, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.inbound) == 2
	}, "inbound messages did not arrive")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []sms.Inbound{
		{From: "254711222333", To: "22333", Text: "BAL 01234567890 €"},
		{From: "254711222334", To: "22333", Text: "Asante 🙏"},
	}
	for i, w := range want {
		got := rec.inbound[i]
		if got.From != w.From || got.To != w.To || got.Text != w.Text || got.At.IsZero() {
			t.Errorf("inbound %d = %+v, want %+v", i, got, w)
		}
	}
	if len(rec.receipts) != 0 {
		t.Errorf("MO reported as receipts: %v", rec.receipts)
	}
}

func TestUnansweredSubmit(t *testing.T) {
	s := smsctest.Start(t)
	c, _ := newClient(t, s, func(cfg *smpp.Config) { cfg.ResponseTimeout = 300 * time.Millisecond })
	s.Blackhole(1)
	_, err := c.Send(context.Background(), sms.Message{ID: "b", To: "254770000001", From: "KPLC", Text: "hi"})
	if !errors.Is(err, sms.ErrUnknownOutcome) {
		t.Fatalf("err = %v, want ErrUnknownOutcome", err)
	}
	// Close settles a submit still waiting the same way.
	s.Blackhole(1)
	done := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), sms.Message{ID: "b2", To: "254770000002", From: "KPLC", Text: "hi"})
		done <- err
	}()
	smsctest.Eventually(t, 5*time.Second, func() bool { return s.Counts().Total == 2 }, "second submit did not arrive")
	_ = c.Close()
	if err := <-done; !errors.Is(err, sms.ErrUnknownOutcome) {
		t.Fatalf("after Close: err = %v, want ErrUnknownOutcome", err)
	}
}

// sender is the shape the notify routing calls.
type sender interface {
	Send(context.Context, sms.Message) (sms.SubmitResult, error)
}

var _ sender = (*smpp.Client)(nil)
