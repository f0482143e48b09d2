package agent_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

const meterDRN = "54500320905"

type testBundle struct {
	db     *store.DB
	svc    *agent.Service
	intake *payment.Intake
	worker *vend.Worker
	outlet agent.Outlet
	user   agent.User
}

// setup makes a utility with one meter, and an outlet with one user (PIN
// 1234) whose float is topped up by M-Pesa with float shillings.
func setup(t *testing.T, db *store.DB, float, creditLimit int64) *testBundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	vk, err := sts.ParseVendingKey("ABABABABABABABAB")
	if err != nil {
		t.Fatal(err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := vend.SaveTariff(tx, "domestic", tariff.SampleYAML()); err != nil {
			return err
		}
		c := &customer.Customer{Name: "Grace Achieng", Language: "en", Phones: []string{"254712000111"}}
		if err := customer.Create(tx, c); err != nil {
			return err
		}
		return customer.CreateMeter(tx, &customer.Meter{DRN: meterDRN, CustomerID: c.ID, SGC: "123456", TI: 1, KRN: 1, KT: 2, KEN: 255,
			BaseDate: 2014, Algorithm: "EA07", DKGA: "02", TariffID: "domestic"})
	})
	if err != nil {
		t.Fatal(err)
	}
	in := payment.NewIntake(db)
	go in.Run(ctx)
	b := &testBundle{db: db, svc: &agent.Service{DB: db}, intake: in,
		worker: &vend.Worker{DB: db, Generator: gen, Tariffs: &vend.Tariffs{DB: db}, Utility: "Mteja Power"}}
	b.outlet, err = b.svc.CreateOutlet(ctx, "admin", "k01", "Kisumu Duka", money.MustFromMajor(creditLimit))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.svc.SetRule(ctx, "admin", b.outlet.ID, agent.Rule{ShareBP: 150}); err != nil {
		t.Fatal(err)
	}
	b.user, err = b.svc.CreateUser(ctx, "admin", b.outlet.ID, "Wanjiru", "0722000333", "1234")
	if err != nil {
		t.Fatal(err)
	}
	if float > 0 {
		b.topUp(t, "TOPUP00001", "AGENTK01", float)
	}
	return b
}

func (b *testBundle) topUp(t *testing.T, receipt, account string, shillings int64) {
	t.Helper()
	_, err := b.intake.Record(context.Background(), payment.Payment{Provider: payment.MpesaC2B, Receipt: receipt,
		Amount: money.MustFromMajor(shillings), AccountRef: account, ShortCode: "888880", Payer: "254722000333"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.ApplyTopUps(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (b *testBundle) outletNow(t *testing.T) agent.Outlet {
	t.Helper()
	o, err := agent.GetOutlet(context.Background(), b.db.Read(), b.outlet.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (b *testBundle) drain(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := b.worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("vend worker did not drain")
}

// checkBooks proves the ledger balances and that the float account holds
// exactly the outlet's float (a liability: its balance is the float
// negated).
func (b *testBundle) checkBooks(t *testing.T) map[string]money.Amount {
	t.Helper()
	ctx := context.Background()
	if err := ledger.Check(ctx, b.db.Read()); err != nil {
		t.Fatal(err)
	}
	if err := agent.CheckBooks(ctx, b.db.Read()); err != nil {
		t.Fatal(err)
	}
	bal, err := ledger.Balances(ctx, b.db.Read())
	if err != nil {
		t.Fatal(err)
	}
	var sum money.Amount
	for _, v := range bal {
		sum += v
	}
	if sum != 0 {
		t.Fatalf("ledger sums to %s", sum)
	}
	o := b.outletNow(t)
	if got := -bal[ledger.AgentFloat(o.ID)]; got != o.Float {
		t.Fatalf("float account holds %s, outlet float is %s", got, o.Float)
	}
	return bal
}

// TestFloatUnderConcurrentSales: 50 sales at once, at the limit, on every
// engine: exactly as many succeed as float and credit limit cover, the
// float never goes below minus the credit limit, each sale is one vend,
// and the books balance.
func TestFloatUnderConcurrentSales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 2,000 float + 500 credit: room for 25 sales of 100.
		b := setup(t, db, 2000, 500)
		if got := b.outletNow(t).Float; got != money.MustFromMajor(2000) {
			t.Fatalf("float after top-up = %s", got)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		sold, refused := 0, 0
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := b.svc.Sell(ctx, b.user.ID, agent.SaleRequest{Key: fmt.Sprintf("req-%d", i), MeterDRN: meterDRN, Amount: money.MustFromMajor(100)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					sold++
				case errors.Is(err, agent.ErrNoFloat):
					refused++
				default:
					t.Errorf("sale %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if sold != 25 || refused != 25 {
			t.Fatalf("sold %d, refused %d; want 25 and 25", sold, refused)
		}
		o := b.outletNow(t)
		if o.Float != money.MustFromMajor(-500) || o.Available() != 0 {
			t.Fatalf("float %s, available %s; want -500 and 0", o.Float, o.Available())
		}
		b.drain(t)
		var vends int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM vends v JOIN agent_sales s ON s.payment_id = v.payment_id`).Scan(&vends); err != nil {
			t.Fatal(err)
		}
		if vends != 25 {
			t.Fatalf("%d vends for 25 sales", vends)
		}
		bal := b.checkBooks(t)
		// 1.5% of 25 x 100.
		if got := bal[ledger.AgentCommission(o.ID)]; got != money.MustFromMajor(-37)-50 {
			t.Fatalf("commission = %s, want -37.50", got)
		}
		if bal[ledger.CustomerCredit] != 0 || bal[ledger.AgentUnapplied] != 0 {
			t.Fatalf("customer credit %s, unapplied top-ups %s; want both 0", bal[ledger.CustomerCredit], bal[ledger.AgentUnapplied])
		}
	})
}

// TestSaleOnce: a request sent again with its key is the same sale; sent
// twice at once, still one.
func TestSaleOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 1000, 0)
		var wg sync.WaitGroup
		sales := make([]agent.Sale, 5)
		for i := range sales {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := b.svc.Sell(ctx, b.user.ID, agent.SaleRequest{Key: "same", MeterDRN: "5450 0320 905", Amount: money.MustFromMajor(200)})
				if err != nil {
					t.Error(err)
				}
				sales[i] = s
			}()
		}
		wg.Wait()
		for _, s := range sales[1:] {
			if s.ID != sales[0].ID || s.Receipt != sales[0].Receipt {
				t.Fatalf("two sales for one key: %+v and %+v", sales[0], s)
			}
		}
		if got := b.outletNow(t).Float; got != money.MustFromMajor(800) {
			t.Fatalf("float %s, want 800", got)
		}
		b.drain(t)
		toks, err := agent.Tokens(ctx, db.Read(), sales[0].PaymentID)
		if err != nil || len(toks) != 1 || len(toks[0]) != 20 {
			t.Fatalf("tokens %v, %v", toks, err)
		}
		b.checkBooks(t)
	})
}

func TestSaleRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 100, 0)
		for _, tc := range []struct {
			name string
			req  agent.SaleRequest
			want error
		}{
			{"no key", agent.SaleRequest{MeterDRN: meterDRN, Amount: 100}, agent.ErrInvalid},
			{"zero", agent.SaleRequest{Key: "a", MeterDRN: meterDRN}, agent.ErrInvalid},
			{"no meter", agent.SaleRequest{Key: "b", MeterDRN: "01234567897", Amount: 100}, agent.ErrMeter},
			{"over float", agent.SaleRequest{Key: "c", MeterDRN: meterDRN, Amount: money.MustFromMajor(101)}, agent.ErrNoFloat},
			{"bad phone", agent.SaleRequest{Key: "d", MeterDRN: meterDRN, Amount: 100, Phone: "12"}, agent.ErrInvalid},
		} {
			if _, err := b.svc.Sell(ctx, b.user.ID, tc.req); !errors.Is(err, tc.want) {
				t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
			}
		}
		if _, err := b.svc.Sell(ctx, "nobody", agent.SaleRequest{Key: "e", MeterDRN: meterDRN, Amount: 100}); !errors.Is(err, agent.ErrNotAgent) {
			t.Errorf("unknown user: %v", err)
		}
		if got := b.outletNow(t).Float; got != money.MustFromMajor(100) {
			t.Fatalf("refused sales moved the float to %s", got)
		}
		b.checkBooks(t)
	})
}

// TestShiftCloseBalances: a shift's sales, the cash counted and the ledger
// agree at the close; a short count is recorded as a negative difference.
func TestShiftCloseBalances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 5000, 0)
		for i, amount := range []int64{100, 250, 1000} {
			if _, err := b.svc.Sell(ctx, b.user.ID, agent.SaleRequest{Key: fmt.Sprint(i), MeterDRN: meterDRN, Amount: money.MustFromMajor(amount)}); err != nil {
				t.Fatal(err)
			}
		}
		b.drain(t)
		sh, err := b.svc.CloseShift(ctx, b.user.ID, money.MustFromMajor(1350))
		if err != nil {
			t.Fatal(err)
		}
		if sh.Sales != 3 || sh.Expected != money.MustFromMajor(1350) || sh.Ledger != sh.Expected || !sh.Reconciled() {
			t.Fatalf("shift report %+v", sh)
		}
		if _, err := b.svc.CloseShift(ctx, b.user.ID, 0); !errors.Is(err, agent.ErrNoShift) {
			t.Fatalf("second close: %v", err)
		}
		// The next sale opens the next shift; its count comes up short.
		if _, err := b.svc.Sell(ctx, b.user.ID, agent.SaleRequest{Key: "next", MeterDRN: meterDRN, Amount: money.MustFromMajor(500)}); err != nil {
			t.Fatal(err)
		}
		sh2, err := b.svc.CloseShift(ctx, b.user.ID, money.MustFromMajor(450))
		if err != nil {
			t.Fatal(err)
		}
		if sh2.ID == sh.ID || sh2.Sales != 1 || sh2.Difference != money.MustFromMajor(-50) || sh2.Reconciled() || sh2.Ledger != sh2.Expected {
			t.Fatalf("second shift %+v", sh2)
		}
		b.drain(t)
		b.checkBooks(t)
		shifts, err := agent.Shifts(ctx, db.Read(), b.outlet.ID, 10)
		if err != nil || len(shifts) != 2 {
			t.Fatalf("shifts %v, %v", shifts, err)
		}
	})
}

// TestTopUpOnce: a top-up delivered again is credited once; one naming no
// outlet goes to suspense.
func TestTopUpOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 0, 0)
		for range 3 {
			b.topUp(t, "TOPUP00002", "agentk01", 700)
		}
		if got := b.outletNow(t).Float; got != money.MustFromMajor(700) {
			t.Fatalf("float %s after a top-up delivered three times", got)
		}
		b.topUp(t, "TOPUP00003", "AGENTX99", 300)
		p, err := payment.ByReceipt(ctx, db.Read(), "TOPUP00003")
		if err != nil || p.State != payment.Suspense {
			t.Fatalf("top-up for no outlet: %+v, %v", p, err)
		}
		bal := b.checkBooks(t)
		if bal[ledger.Suspense] != money.MustFromMajor(-300) {
			t.Fatalf("suspense %s", bal[ledger.Suspense])
		}
	})
}

func TestPINLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 0, 0)
		b.svc.MaxTries, b.svc.Lockout = 3, time.Hour
		if _, err := b.svc.SignIn(ctx, "254722000333", "1234"); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.SignIn(ctx, "254799999999", "1234"); !errors.Is(err, agent.ErrNotAgent) {
			t.Fatalf("stranger: %v", err)
		}
		for i, want := range []error{agent.ErrBadPIN, agent.ErrBadPIN, agent.ErrLocked, agent.ErrLocked} {
			if _, err := b.svc.SignIn(ctx, "254722000333", "9999"); !errors.Is(err, want) {
				t.Fatalf("try %d: %v, want %v", i, err, want)
			}
		}
		if _, err := b.svc.SignIn(ctx, "254722000333", "1234"); !errors.Is(err, agent.ErrLocked) {
			t.Fatalf("right PIN while locked: %v", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'agent.sign_in'`).Scan(&n); err != nil || n != 6 {
			t.Fatalf("%d sign-ins audited, %v", n, err)
		}
	})
}

var codeRE = regexp.MustCompile(`Code (\d{6})\.`)

// TestRegisterPhone: a phone is added to a meter only with the code sent to
// it; wrong codes count, and five kill the code.
func TestRegisterPhone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 0, 0)
		const newPhone = "254733444555"
		lastCode := func() string {
			var body string
			if err := db.Read().QueryRowContext(ctx, `SELECT body FROM messages WHERE recipient = $1 AND lane = 'otp' ORDER BY queued_at DESC LIMIT 1`, newPhone).Scan(&body); err != nil {
				t.Fatal(err)
			}
			m := codeRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no code in %q", body)
			}
			return m[1]
		}
		hasPhone := func() bool {
			ok, err := customer.IsPhoneOf(ctx, db.Read(), newPhone, meterDRN)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if _, err := b.svc.RequestPhoneCode(ctx, b.user.ID, "01234567897", newPhone, "Mteja Power"); !errors.Is(err, agent.ErrMeter) {
			t.Fatalf("code for no meter: %v", err)
		}
		if _, err := b.svc.RequestPhoneCode(ctx, b.user.ID, meterDRN, "0733 444 555", "Mteja Power"); err != nil {
			t.Fatal(err)
		}
		code := lastCode()
		wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
		if err := b.svc.ConfirmPhone(ctx, b.user.ID, meterDRN, newPhone, wrong); !errors.Is(err, agent.ErrCodeWrong) {
			t.Fatalf("wrong code: %v", err)
		}
		if hasPhone() {
			t.Fatal("a wrong code added the phone")
		}
		if err := b.svc.ConfirmPhone(ctx, b.user.ID, meterDRN, newPhone, code); err != nil {
			t.Fatal(err)
		}
		if !hasPhone() {
			t.Fatal("the right code did not add the phone")
		}
		if err := b.svc.ConfirmPhone(ctx, b.user.ID, meterDRN, newPhone, code); !errors.Is(err, agent.ErrCodeWrong) {
			t.Fatalf("a used code again: %v", err)
		}
		// Five wrong tries kill a code, right or not after.
		if _, err := b.svc.RequestPhoneCode(ctx, b.user.ID, meterDRN, newPhone, "Mteja Power"); err != nil {
			t.Fatal(err)
		}
		code = lastCode()
		wrong = fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
		for range 5 {
			b.svc.ConfirmPhone(ctx, b.user.ID, meterDRN, newPhone, wrong)
		}
		if err := b.svc.ConfirmPhone(ctx, b.user.ID, meterDRN, newPhone, code); !errors.Is(err, agent.ErrCodeWrong) {
			t.Fatalf("right code after five wrong: %v", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE actor = $1 AND action = 'meter.edit'`, agent.Actor(b.user.ID)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d phone additions audited under the agent, %v", n, err)
		}
	})
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCloseDuringSales: shifts closed while sales run never lose or
// double-count a sale: every sale is in exactly one shift, and each
// closed shift's expected cash is the sum of its own sales and what the
// ledger took from the float for them.
func TestCloseDuringSales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, 10000, 0)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.svc.Sell(ctx, b.user.ID, agent.SaleRequest{Key: fmt.Sprint("c", i), MeterDRN: meterDRN, Amount: money.MustFromMajor(10)}); err != nil {
					t.Error(err)
				}
			}()
			if i%5 == 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := b.svc.CloseShift(ctx, b.user.ID, 0); err != nil && !errors.Is(err, agent.ErrNoShift) {
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		b.svc.CloseShift(ctx, b.user.ID, 0)
		var bad, total int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM agent_shifts s WHERE s.closed_at IS NOT NULL AND (s.sales <> (SELECT count(*) FROM agent_sales a WHERE a.shift_id = s.id)
			OR s.expected <> (SELECT COALESCE(SUM(amount), 0) FROM agent_sales a WHERE a.shift_id = s.id))`).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(SUM(sales), 0) FROM agent_shifts`).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || total != 20 {
			t.Fatalf("%d shifts whose figures are not their sales'; %d sales counted in shifts, want 20", bad, total)
		}
		b.drain(t)
		b.checkBooks(t)
	})
}
