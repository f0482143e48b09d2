package mpesa

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// The Pull API lists the simulator's own completed payments, Paybill and
// STK alike, oldest first, in pages from OffSetValue on, and nothing older
// than 48 hours however early the window starts; a refused payment is not
// listed, and nothing is listed before the short code is registered.
func TestPullPagesThroughPayments(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{PullPageSize: 2})
	b.register(t, "v1")
	pay := func(phone, ref string, major int64) string {
		t.Helper()
		r, err := b.sim.PayBill(t.Context(), phone, ref, money.MustFromMajor(major))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tooOld := pay("0708374149", "54500320905", 100)
	b.clock.Advance(PullWindow + time.Hour)
	start := b.clock.Now()
	var want []string
	for i, major := range []int64{200, 300, 400} {
		want = append(want, pay("0712345678", "04123456784", major))
		b.clock.Advance(time.Duration(i+1) * time.Minute)
	}
	resp, err := b.client.STKPush(t.Context(), push(b, "0722000111", money.MustFromMajor(500)))
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Wait()
	stk, ok := b.sim.Transaction(resp.CheckoutRequestID)
	if !ok || stk.State != TxCompleted {
		t.Fatalf("stk transaction %+v", stk)
	}
	want = append(want, stk.Receipt)
	b.rcv.validate = func(C2B) ValidationResponse { return Reject(C2BInvalidAccount) }
	if _, err := b.sim.PayBill(t.Context(), "0708374149", "nonsense", money.MustFromMajor(50)); !errors.Is(err, ErrValidationRejected) {
		t.Fatalf("refused payment: %v", err)
	}
	from, to := start.Add(-2*PullWindow), b.clock.Now().Add(time.Minute)

	var apiErr *APIError
	if _, err := b.client.PullTransactions(t.Context(), from, to, 0); !errors.As(err, &apiErr) || apiErr.Code != CodeBadRequest {
		t.Errorf("query before registering: %v, want Daraja's bad request", err)
	}
	if _, err := b.client.RegisterPull(t.Context(), "12", b.rcv.url("/pull")); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("register with a bad nominated number: %v, want ErrInvalidRequest", err)
	}
	reg, err := b.client.RegisterPull(t.Context(), "0722000000", b.rcv.url("/pull"))
	if err != nil || reg.ResponseStatus != "1000" || reg.ShortCode != b.sim.ShortCode() {
		t.Fatalf("register: %+v, %v", reg, err)
	}

	var got []PullTransaction
	var sizes []int
	for offset := 0; ; {
		page, err := b.client.PullTransactions(t.Context(), from, to, offset)
		if err != nil {
			t.Fatalf("offset %d: %v", offset, err)
		}
		sizes = append(sizes, len(page.Transactions))
		if len(page.Transactions) == 0 {
			break
		}
		got = append(got, page.Transactions...)
		offset += len(page.Transactions)
	}
	if !slices.Equal(sizes, []int{2, 2, 0}) {
		t.Errorf("page sizes %v, want [2 2 0]", sizes)
	}
	var receipts []string
	for _, g := range got {
		receipts = append(receipts, g.TransactionID)
	}
	if !slices.Equal(receipts, want) || slices.Contains(receipts, tooOld) {
		t.Fatalf("pulled %v, want %v (not the 49-hour-old %s)", receipts, want, tooOld)
	}
	for _, g := range got {
		tx, _ := b.sim.Transaction(g.TransactionID)
		if g.Amount != tx.Amount || g.MSISDN != tx.Phone || g.BillReference != tx.BillRef || !g.Time.Equal(tx.Time.Truncate(time.Second)) ||
			g.Time.Location() != time.UTC || g.OrganizationName != "Sample Utility" {
			t.Errorf("pulled %+v, simulator has %+v", g, tx)
		}
	}

	// A window that ends before the STK payment leaves it out.
	page, err := b.client.PullTransactions(t.Context(), from, stk.Time.Add(-time.Second), 0)
	if err != nil || len(page.Transactions) != 2 || page.Transactions[1].TransactionID != want[1] {
		t.Errorf("narrow window, first page: %+v, %v", page, err)
	}
	if _, err := b.client.PullTransactions(t.Context(), to, from, 0); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("a window that ends before it starts: %v, want ErrInvalidRequest", err)
	}
}

// A pull reply is read in Daraja's documented shape (the rows nested one
// level deep) and in the shapes seen besides; a row M-Pesa got wrong is an
// error that names it, never a payment half read.
func TestDecodePullPage(t *testing.T) {
	t.Parallel()
	row := `{"transactionId":"OHR4GAU4GQ","trxDate":"2020-08-27T11:27:31Z","msisdn":254722000000,"sender":"UAT2","transactiontype":"c2b-pay-bill-debit","billreference":"37207749811","amount":"10","organizationname":"Daraja Pull API Test"}`
	want := PullTransaction{TransactionID: "OHR4GAU4GQ", Time: time.Date(2020, 8, 27, 11, 27, 31, 0, time.UTC), MSISDN: "254722000000",
		Sender: "UAT2", TransactionType: "c2b-pay-bill-debit", BillReference: "37207749811", Amount: money.MustFromMajor(10),
		OrganizationName: "Daraja Pull API Test"}
	with := func(old, new string) string { return strings.Replace(row, old, new, 1) }
	for _, c := range []struct {
		name, body string
		want       []PullTransaction
		err        string // part of the error; "" for none
	}{
		{"documented nesting", `{"ResponseRefID":"1","ResponseCode":"1000","Response":[[` + row + `]]}`, []PullTransaction{want}, ""},
		{"flat", `{"ResponseCode":"1000","Response":[` + row + `,` + row + `]}`, []PullTransaction{want, want}, ""},
		{"empty", `{"ResponseCode":"1000","Response":[[]]}`, nil, ""},
		{"none", `{"ResponseCode":"1000"}`, nil, ""},
		{"national number as text", `{"Response":[` + with(`254722000000`, `"0722000000"`) + `]}`, []PullTransaction{want}, ""},
		{"lower-case receipt", `{"Response":[` + with(`OHR4GAU4GQ`, `ohr4gau4gq`) + `]}`, []PullTransaction{want}, ""},
		{"EAT without a zone", `{"Response":[` + with(`2020-08-27T11:27:31Z`, `2020-08-27 14:27:31`) + `]}`, []PullTransaction{want}, ""},
		{"amount as a number", `{"Response":[` + with(`"10"`, `10.00`) + `]}`, []PullTransaction{want}, ""},
		{"masked payer", `{"Response":[` + with(`254722000000`, `"2547****000"`) + `]}`,
			[]PullTransaction{func() PullTransaction { w := want; w.MSISDN = "2547****000"; return w }()}, ""},
		{"not a list", `{"Response":{"a":1}}`, nil, "Response: must be an array"},
		{"bad receipt", `{"Response":[[` + row + `,` + with(`OHR4GAU4GQ`, `NOPE`) + `]]}`, nil, "Response[1].transactionId"},
		{"no amount", `{"Response":[` + with(`"amount":"10",`, ``) + `]}`, nil, "Response[0].amount: missing"},
		{"no time", `{"Response":[` + with(`"trxDate":"2020-08-27T11:27:31Z",`, ``) + `]}`, nil, "Response[0].trxDate: missing"},
		{"bad time", `{"Response":[` + with(`2020-08-27T11:27:31Z`, `yesterday`) + `]}`, nil, "Response[0].trxDate"},
		{"zero amount", `{"Response":[` + with(`"10"`, `"0"`) + `]}`, nil, "more than 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := parseBody([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			page, err := decodePullPage(f)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v, want one with %q wrapping ErrMalformed", err, c.err)
				}
				return
			}
			if err != nil || !slices.Equal(page.Transactions, c.want) {
				t.Fatalf("%+v, %v; want %+v", page.Transactions, err, c.want)
			}
		})
	}
}
