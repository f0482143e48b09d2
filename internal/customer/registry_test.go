package customer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

const staffActor = "admin:alice"

// Meter numbers with valid check digits.
const (
	meterA = "54500320905"
	meterB = "04123456784"
	meterC = "04123456792"
	meterD = "01234567897"
)

func newRegistry(t *testing.T, db *store.DB) *customer.Registry {
	t.Helper()
	seedTariff(t, db)
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO tariffs (id, currency, source, created_at, updated_at) VALUES ('commercial', 'KES', '', 0, 0)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &customer.Registry{DB: db, Audit: payment.Audit}
}

func ptr[T any](v T) *T { return &v }

// register makes a meter for a new customer with one phone.
func register(t *testing.T, r *customer.Registry, drn, phone string) customer.Meter {
	t.Helper()
	m, err := r.Register(context.Background(), staffActor, customer.Registration{DRN: drn, Keys: customer.KeyParams{SGC: ptr("123456")},
		TariffID: "domestic", Area: "Kisumu", Owner: customer.Owner{New: customer.Customer{Name: "Grace Achieng", Phones: []string{phone}}}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// auditEvent is one row of audit_events.
type auditEvent struct {
	actor, action, subject, detail string
}

// lastEvent returns the newest audit event about subject.
func lastEvent(t *testing.T, db *store.DB, subject string) auditEvent {
	t.Helper()
	var e auditEvent
	err := db.Read().QueryRow(`SELECT actor, action, subject, detail FROM audit_events WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT 1`, subject).
		Scan(&e.actor, &e.action, &e.subject, &e.detail)
	if err != nil {
		t.Fatalf("audit event for %s: %v", subject, err)
	}
	return e
}

func checkEvent(t *testing.T, db *store.DB, subject, action string, detail ...string) {
	t.Helper()
	e := lastEvent(t, db, subject)
	if e.actor != staffActor || e.action != action {
		t.Errorf("audit event for %s: %+v; want %s by %s", subject, e, action, staffActor)
	}
	for _, d := range detail {
		if !strings.Contains(e.detail, d) {
			t.Errorf("audit event %s for %s: detail %q lacks %q", action, subject, e.detail, d)
		}
	}
}

func recipients(t *testing.T, db *store.DB, drn string) string {
	t.Helper()
	var out []string
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		rs, err := customer.PhonesForMeters(tx, []string{drn})
		for _, r := range rs[drn] {
			out = append(out, r.MSISDN+"/"+r.Language)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, ",")
}

// A meter is registered for a new customer (with phones and language) or
// an existing one, with the default key parameters filled in, and the
// event audited; everything wrong with a request is reported together.
func TestRegisterMeter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		m, err := r.Register(ctx, staffActor, customer.Registration{DRN: "5450 0320 905", Keys: customer.KeyParams{SGC: ptr("123456")},
			TariffID: "domestic", Area: "Kisumu", Debt: 15050,
			Owner: customer.Owner{New: customer.Customer{Name: "Grace Achieng", Language: "sw", Phones: []string{"0712 000 111", "+254733000333"}}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := customer.GetMeter(ctx, db.Read(), meterA)
		if err != nil {
			t.Fatal(err)
		}
		if got.CustomerID != m.CustomerID || got.SGC != "123456" || got.TI != 1 || got.KRN != 1 || got.KT != 2 || got.KEN != 255 ||
			got.BaseDate != 2014 || got.Algorithm != "EA07" || got.DKGA != "02" || got.Debt != 15050 || got.Status != customer.MeterActive {
			t.Errorf("registered meter = %+v", got)
		}
		if rs := recipients(t, db, meterA); rs != "254712000111/sw,254733000333/sw" {
			t.Errorf("token recipients = %s", rs)
		}
		checkEvent(t, db, meterA, "meter.register", "new customer "+m.CustomerID, "phones 2547*****111, 2547*****333", "debt 150.50", "sgc 123456 ti 1 krn 1")

		// A second meter for the same customer, with its own key parameters.
		m2, err := r.Register(ctx, staffActor, customer.Registration{DRN: meterB, TariffID: "commercial", Owner: customer.Owner{CustomerID: m.CustomerID},
			Keys: customer.KeyParams{SGC: ptr("600727"), TI: ptr(7), KRN: ptr(2), BaseDate: ptr(1993), DKGA: ptr("DKGA04")}})
		if err != nil {
			t.Fatal(err)
		}
		if m2.CustomerID != m.CustomerID || m2.TI != 7 || m2.KRN != 2 || m2.BaseDate != 1993 || m2.DKGA != "04" {
			t.Errorf("second meter = %+v", m2)
		}
		checkEvent(t, db, meterB, "meter.register", "customer "+m.CustomerID+";")

		tests := []struct {
			name string
			reg  customer.Registration
			want error
			says []string
		}{
			{"already registered", customer.Registration{DRN: meterA, Keys: customer.KeyParams{SGC: ptr("123456")}, TariffID: "domestic"},
				customer.ErrConflict, []string{"meter 54500320905 is already registered"}},
			{"every problem at once", customer.Registration{DRN: "54500320906", TariffID: "",
				Owner: customer.Owner{New: customer.Customer{Language: "fr", Phones: []string{"12"}}}},
				customer.ErrInvalid, []string{"check digit", "sgc: required", "tariff: required", `language "fr"`, "phones:"}},
			{"key parameters", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("12345a"), KRN: ptr(0)}, TariffID: "domestic"},
				customer.ErrInvalid, []string{`supply group code "12345a"`}},
			{"key revision", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("123456"), KRN: ptr(0)}, TariffID: "domestic"},
				customer.ErrInvalid, []string{"key revision number 0: want 1-9"}},
			{"EA11 needs DKGA04", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("123456"), Algorithm: ptr("ea11")}, TariffID: "domestic"},
				customer.ErrInvalid, []string{"DKGA02 makes 64-bit keys, EA11 needs DKGA04"}},
			{"unknown tariff", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("123456")}, TariffID: "industrial"},
				customer.ErrInvalid, []string{`tariff "industrial" does not exist`}},
			{"unknown customer", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("123456")}, TariffID: "domestic", Owner: customer.Owner{CustomerID: "nobody"}},
				customer.ErrInvalid, []string{"customer nobody does not exist"}},
			{"negative debt", customer.Registration{DRN: meterC, Keys: customer.KeyParams{SGC: ptr("123456")}, TariffID: "domestic", Debt: -1},
				customer.ErrInvalid, []string{"debt -0.01: want zero or more"}},
		}
		for _, tt := range tests {
			_, err := r.Register(ctx, staffActor, tt.reg)
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
				continue
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%s: %q does not say %q", tt.name, err, s)
				}
			}
		}
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM meters`).Scan(&n)
		if n != 2 {
			t.Errorf("%d meters after the refused registrations; want 2", n)
		}
		// Without an auditor nothing changes unrecorded.
		bare := &customer.Registry{DB: db}
		if _, err := bare.Deactivate(ctx, staffActor, meterA, ""); err == nil {
			t.Error("a registry without an auditor deactivated a meter")
		}
	})
}

// Edit sets the area, tariff and the customer's phones, which then receive
// the tokens; each edit is audited with what changed.
func TestEditMeter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		register(t, r, meterA, "0712000111")
		m, err := r.Edit(ctx, staffActor, "545-0032-0905", customer.Edit{Area: ptr("Kibos"), TariffID: ptr("commercial"), Phones: &[]string{"0733000333", "0722000222"}})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := customer.GetMeter(ctx, db.Read(), meterA)
		if m.Area != "Kibos" || got.Area != "Kibos" || got.TariffID != "commercial" {
			t.Errorf("edited meter = %+v", got)
		}
		if rs := recipients(t, db, meterA); rs != "254722000222/en,254733000333/en" {
			t.Errorf("token recipients after the edit = %s", rs)
		}
		checkEvent(t, db, meterA, "meter.edit", `area "Kisumu" → "Kibos"`, "tariff domestic → commercial", "2547*****111 → 2547*****222, 2547*****333")

		// A phone added keeps the others; added again, it changes nothing.
		if _, err := r.Edit(ctx, staffActor, meterA, customer.Edit{AddPhones: []string{"0711 000 444"}}); err != nil {
			t.Fatal(err)
		}
		if rs := recipients(t, db, meterA); rs != "254711000444/en,254722000222/en,254733000333/en" {
			t.Errorf("token recipients after a phone was added = %s", rs)
		}
		checkEvent(t, db, meterA, "meter.edit", "2547*****222, 2547*****333 → 2547*****444, 2547*****222, 2547*****333")
		var n int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events`).Scan(&n)
		if _, err := r.Edit(ctx, staffActor, meterA, customer.Edit{AddPhones: []string{"+254711000444"}}); err != nil {
			t.Fatal(err)
		}
		var n2 int
		db.Read().QueryRow(`SELECT count(*) FROM audit_events`).Scan(&n2)
		if n2 != n {
			t.Errorf("a phone the customer has already was recorded as a change")
		}

		for _, c := range []struct {
			name string
			e    customer.Edit
			want error
		}{
			{"nothing", customer.Edit{}, customer.ErrInvalid},
			{"unknown tariff", customer.Edit{TariffID: ptr("industrial")}, customer.ErrInvalid},
			{"bad phone", customer.Edit{Phones: &[]string{"07x"}}, customer.ErrInvalid},
			{"bad phone to add", customer.Edit{AddPhones: []string{"07x"}}, customer.ErrInvalid},
		} {
			if _, err := r.Edit(ctx, staffActor, meterA, c.e); !errors.Is(err, c.want) {
				t.Errorf("%s: %v; want %v", c.name, err, c.want)
			}
		}
		if _, err := r.Edit(ctx, staffActor, meterD, customer.Edit{Area: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("edit of an unknown meter: %v", err)
		}
	})
}

// Deactivate and reactivate move the status and are audited with the
// reason; doing either twice is a conflict.
func TestDeactivateReactivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		register(t, r, meterA, "0712000111")
		if m, err := r.Deactivate(ctx, staffActor, meterA, "premises demolished"); err != nil || m.Status != customer.MeterInactive {
			t.Fatalf("deactivate = %+v, %v", m, err)
		}
		checkEvent(t, db, meterA, "meter.deactivate", "active → inactive: premises demolished")
		if _, err := r.Deactivate(ctx, staffActor, meterA, ""); !errors.Is(err, customer.ErrConflict) {
			t.Errorf("second deactivate: %v; want ErrConflict", err)
		}
		if m, err := r.Reactivate(ctx, staffActor, meterA, ""); err != nil || m.Status != customer.MeterActive {
			t.Fatalf("reactivate = %+v, %v", m, err)
		}
		checkEvent(t, db, meterA, "meter.reactivate", "inactive → active")
		if _, err := r.Reactivate(ctx, staffActor, meterA, ""); !errors.Is(err, customer.ErrConflict) {
			t.Errorf("second reactivate: %v; want ErrConflict", err)
		}
		got, _ := customer.GetMeter(ctx, db.Read(), meterA)
		if got.Status != customer.MeterActive {
			t.Errorf("status = %s", got.Status)
		}
	})
}

// A meter moved to another customer sends its tokens to that customer's
// phones, and shows among their meters instead of the former owner's.
func TestMoveMeter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		first := register(t, r, meterA, "0712000111")
		second := register(t, r, meterB, "0722000222")
		m, err := r.Move(ctx, staffActor, meterA, customer.Owner{CustomerID: second.CustomerID})
		if err != nil || m.CustomerID != second.CustomerID {
			t.Fatalf("move = %+v, %v", m, err)
		}
		if rs := recipients(t, db, meterA); rs != "254722000222/en" {
			t.Errorf("recipients after the move = %s", rs)
		}
		if ms, _ := customer.MetersForPhone(ctx, db.Read(), "254712000111"); len(ms) != 0 {
			t.Errorf("the former owner still has %+v", ms)
		}
		checkEvent(t, db, meterA, "meter.move", "from "+first.CustomerID+" to customer "+second.CustomerID)

		m, err = r.Move(ctx, staffActor, meterA, customer.Owner{New: customer.Customer{Name: "New Tenant", Language: "sw", Phones: []string{"0799000111"}}})
		if err != nil || m.CustomerID == second.CustomerID {
			t.Fatalf("move to a new customer = %+v, %v", m, err)
		}
		if rs := recipients(t, db, meterA); rs != "254799000111/sw" {
			t.Errorf("recipients after the second move = %s", rs)
		}
		checkEvent(t, db, meterA, "meter.move", "to new customer "+m.CustomerID+" (sw, phones 2547*****111)")
		if _, err := r.Move(ctx, staffActor, meterA, customer.Owner{CustomerID: m.CustomerID}); !errors.Is(err, customer.ErrInvalid) {
			t.Errorf("move to its own customer: %v", err)
		}
	})
}

// A key change is queued with what STS allows, replaces one still queued,
// sets the rollover bit exactly when the base date moves, and refuses the
// rest.
func TestQueueKeyChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRegistry(t, db)
		register(t, r, meterA, "0712000111")
		pk, err := r.QueueKeyChange(ctx, staffActor, meterA, customer.KeyParams{KRN: ptr(2), SGC: ptr("654321")})
		if err != nil {
			t.Fatal(err)
		}
		if pk != (customer.PendingKey{SGC: "654321", TI: 1, KRN: 2, KT: 2, KEN: 255, BaseDate: 2014, DKGA: "02"}) {
			t.Errorf("pending = %+v", pk)
		}
		checkEvent(t, db, meterA, "meter.keychange", "sgc 123456 ti 1 krn 1 kt 2 ken 255 base date 2014 EA07 DKGA02 → sgc 654321 ti 1 krn 2")
		pk, err = r.QueueKeyChange(ctx, staffActor, meterA, customer.KeyParams{TI: ptr(3)})
		if err != nil || pk.TI != 3 || pk.KRN != 1 || pk.SGC != "123456" || pk.Rollover {
			t.Fatalf("second change = %+v, %v; want only the tariff index changed from the meter's keys", pk, err)
		}
		checkEvent(t, db, meterA, "meter.keychange", "replaces the change queued to sgc 654321")
		m, _ := customer.GetMeter(ctx, db.Read(), meterA)
		if p, _ := m.Pending(); p == nil || *p != pk || m.KRN != 1 || m.SGC != "123456" {
			t.Errorf("meter = %+v, pending %+v; the keys must change only with the tokens", m, p)
		}

		for _, c := range []struct {
			name string
			k    customer.KeyParams
			says string
		}{
			{"no change", customer.KeyParams{KRN: ptr(1)}, "has these key parameters already"},
			{"bad revision", customer.KeyParams{KRN: ptr(10)}, "key parameters out of range (ti 1, krn 10"},
			{"base date backwards", customer.KeyParams{BaseDate: ptr(1993)}, "a base date only moves forward"},
			{"base date to come", customer.KeyParams{BaseDate: ptr(2035)}, "before base date 2035"},
			{"to a 128-bit key", customer.KeyParams{Algorithm: ptr("EA11"), DKGA: ptr("04")}, "64-bit (EA07) keys only"},
			{"expired", customer.KeyParams{KRN: ptr(2), KEN: ptr(0)}, "key expiry number 0 has passed"},
		} {
			_, err := r.QueueKeyChange(ctx, staffActor, meterA, c.k)
			if !errors.Is(err, customer.ErrInvalid) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: %v; want an invalid request saying %q", c.name, err, c.says)
			}
		}

		// The rollover bit comes with a new base date, here on a meter
		// still on 1993.
		register(t, r, meterB, "0722000222")
		db.Write().Exec(`UPDATE meters SET base_date = 1993 WHERE drn = $1`, meterB)
		pk, err = r.QueueKeyChange(ctx, staffActor, meterB, customer.KeyParams{BaseDate: ptr(2014), KRN: ptr(2), DKGA: ptr("04")})
		if err != nil || !pk.Rollover || pk.BaseDate != 2014 || pk.DKGA != "04" {
			t.Fatalf("rollover change = %+v, %v", pk, err)
		}
		checkEvent(t, db, meterB, "meter.keychange", "with TID rollover")
	})
}
