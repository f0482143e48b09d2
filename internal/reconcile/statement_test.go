package reconcile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func eat(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, time.FixedZone("EAT", 3*3600))
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func kes(major int64, cents ...int64) money.Amount {
	a := money.MustFromMajor(major)
	for _, c := range cents {
		a += money.Amount(c)
	}
	return a
}

// A statement is read by its column names, whatever the export's heading
// lines, dots, order and optional columns; amounts with thousands
// separators and negative withdrawals, EAT times in the layouts exports
// use, and the kind of each row from its Reason Type (or Details).
func TestParseStatement(t *testing.T) {
	const full = "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\n"
	for _, c := range []struct {
		name      string
		csv       string
		shortCode string
		want      []Record
	}{
		{
			name: "portal export with heading lines",
			csv: "Organization Name:,Mteja Power\nOrganization Short Code:,888880\nTime Period:,From 01-12-2026 00:00:00 To 01-12-2026 23:59:59\n,\n" + full +
				`SL1A2B3C4D,01-12-2026 08:15:02,01-12-2026 08:14:58,Pay Bill from 254708374149 - JOHN DOE Acc. 54500320905,Completed,"1,500.00",,"101,500.00",true,Pay Bill,254708374149 - JOHN DOE,,54500320905` + "\n" +
				`SL1A2B3C4D,01-12-2026 08:15:02,01-12-2026 08:14:58,Pay Bill Charge,Completed,,-15.00,"101,485.00",true,Pay Utility Charge,,SL1A2B3C4D,` + "\n" +
				`SL1R9Z8Y7X,01-12-2026 17:40:00,01-12-2026 17:40:00,Reversal,Completed,,"-2,000.00","99,485.00",true,Reversal,2547****678 - MARY,SL1B2C3D4E,` + "\n" +
				`SL1T5U6V7W,01-12-2026 23:00:00,01-12-2026 23:00:00,Business Transfer to Working,Completed,,"-90,000.00","9,485.00",true,Organization Move Funds,888880 - Mteja Power,,` + "\n" +
				`SL1M1N2O3P,01-12-2026 23:10:00,01-12-2026 23:10:00,Funds in,Completed,"5,000.00",,"14,485.00",true,Business Transfer From MMF,888880 - Mteja Power,,` + "\n" +
				",,,,,,,,,,,,\n",
			shortCode: "888880",
			want: []Record{
				{Line: 6, Receipt: "SL1A2B3C4D", Kind: KindPayment, Status: "Completed", CompletedAt: eat("2026-12-01 08:15:02"), InitiatedAt: eat("2026-12-01 08:14:58"),
					Details: "Pay Bill from 254708374149 - JOHN DOE Acc. 54500320905", Amount: kes(1500), ReasonType: "Pay Bill", Payer: "254708374149", PayerName: "JOHN DOE", AccountRef: "54500320905"},
				{Line: 7, Receipt: "SL1A2B3C4D", Kind: KindCharge, Status: "Completed", CompletedAt: eat("2026-12-01 08:15:02"), InitiatedAt: eat("2026-12-01 08:14:58"),
					Details: "Pay Bill Charge", Amount: kes(15), ReasonType: "Pay Utility Charge", Linked: "SL1A2B3C4D"},
				{Line: 8, Receipt: "SL1R9Z8Y7X", Kind: KindReversal, Status: "Completed", CompletedAt: eat("2026-12-01 17:40:00"), InitiatedAt: eat("2026-12-01 17:40:00"),
					Details: "Reversal", Amount: kes(2000), ReasonType: "Reversal", Payer: "2547****678", PayerName: "MARY", Linked: "SL1B2C3D4E"},
				{Line: 9, Receipt: "SL1T5U6V7W", Kind: KindOther, Status: "Completed", CompletedAt: eat("2026-12-01 23:00:00"), InitiatedAt: eat("2026-12-01 23:00:00"),
					Details: "Business Transfer to Working", Amount: kes(90000), ReasonType: "Organization Move Funds", Payer: "888880", PayerName: "Mteja Power"},
				{Line: 10, Receipt: "SL1M1N2O3P", Kind: KindOther, Status: "Completed", CompletedAt: eat("2026-12-01 23:10:00"), InitiatedAt: eat("2026-12-01 23:10:00"),
					Details: "Funds in", Amount: kes(5000), ReasonType: "Business Transfer From MMF", Payer: "888880", PayerName: "Mteja Power"},
			},
		},
		{
			name: "no dots, other order, optional columns dropped, a byte-order mark",
			csv: "\ufeffA/C No,Paid In,Receipt No,Completion Time,Details\n" +
				"545 0032 0905,250.50,sl2a2b3c4d,2026-12-02 9:05,Pay Bill Online from 0712345678\n" +
				"\n" +
				"04123456784,\"10,000\",SL2B2B3C4D,2/12/2026 14:03:22,Pay Bill\n",
			want: []Record{
				{Line: 2, Receipt: "SL2A2B3C4D", Kind: KindPayment, Status: "Completed", CompletedAt: eat("2026-12-02 09:05:00"),
					Details: "Pay Bill Online from 0712345678", Amount: kes(250, 50), AccountRef: "545 0032 0905"},
				{Line: 4, Receipt: "SL2B2B3C4D", Kind: KindPayment, Status: "Completed", CompletedAt: eat("2026-12-02 14:03:22"),
					Details: "Pay Bill", Amount: kes(10000), AccountRef: "04123456784"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := ParseStatement(strings.NewReader(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			if st.ShortCode != c.shortCode {
				t.Errorf("short code %q, want %q", st.ShortCode, c.shortCode)
			}
			if len(st.Records) != len(c.want) {
				t.Fatalf("%d records, want %d: %+v", len(st.Records), len(c.want), st.Records)
			}
			for i := range c.want {
				if !reflect.DeepEqual(st.Records[i], c.want[i]) {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, st.Records[i], c.want[i])
				}
			}
			if first, last := c.want[0].CompletedAt, c.want[len(c.want)-1].CompletedAt; !st.From.Equal(first) || !st.To.Equal(last) {
				t.Errorf("covers %s to %s, want %s to %s", st.From, st.To, first, last)
			}
		})
	}
}

// Every bad row is reported with its line number, all at once, and
// nothing of the statement is returned.
func TestParseStatementBadRows(t *testing.T) {
	csv := "Statement of account\n" +
		"Receipt No.,Completion Time,Paid In,Withdrawn,Reason Type,A/C No.\n" +
		"SL3A2B3C4D,01-12-2026 08:00:00,100.00,,Pay Bill,54500320905\n" +
		"SL3-BAD,01-12-2026 08:00:00,100.00,,Pay Bill,54500320905\n" +
		"SL3C2B3C4D,the first of December,100.00,,Pay Bill,54500320905\n" +
		"SL3D2B3C4D,01-12-2026 08:00:00,\"1,00.00\",,Pay Bill,54500320905\n" +
		"SL3E2B3C4D,01-12-2026 08:00:00,-100.00,,Pay Bill,54500320905\n" +
		"SL3F2B3C4D,01-12-2026 08:00:00,100.00,-5.00,Pay Bill,54500320905\n" +
		"SL3A2B3C4D,01-12-2026 08:00:00,100.00,,Pay Bill,54500320905\n" +
		"SL3G2B3C4D,,100.00,,Pay Bill,54500320905\n" +
		"SL3H2B3C4D,01-12-2026 08:00:00,KES 100.001,,Pay Bill,54500320905\n"
	st, err := ParseStatement(strings.NewReader(csv))
	var se *StatementError
	if !errors.As(err, &se) {
		t.Fatalf("ParseStatement: %+v, %v; want a *StatementError", st, err)
	}
	want := []struct {
		line int
		says string
	}{
		{4, `Receipt No. "SL3-BAD" is not an M-Pesa receipt`},
		{5, `Completion Time "the first of December" is not a time`},
		{6, `Paid In "1,00.00" is not an amount`},
		{7, `Paid In "-100.00" is negative`},
		{8, "both Paid In and Withdrawn hold an amount"},
		{9, "receipt SL3A2B3C4D (payment) is on line 3 already"},
		{10, "Completion Time is empty"},
		{11, `Paid In "KES100.001" is not an amount`},
	}
	if len(se.Lines) != len(want) {
		t.Fatalf("%d bad lines, want %d:\n%v", len(se.Lines), len(want), err)
	}
	for i, w := range want {
		if got := se.Lines[i]; got.Line != w.line || !strings.Contains(got.Err.Error(), w.says) {
			t.Errorf("bad line %d: %v; want line %d saying %q", i, got, w.line, w.says)
		}
	}
	if !strings.HasPrefix(err.Error(), "8 bad rows, nothing imported:\n  line 4: ") {
		t.Errorf("the report begins %q", err.Error()[:60])
	}
}

// A file that is not a statement Mteja knows says so, and why.
func TestParseStatementLayout(t *testing.T) {
	for _, c := range []struct{ name, csv, says string }{
		{"no header", "Date,Amount,Who\n2026-12-01,100,me\n", "no header row naming Receipt No., Completion Time, Paid In"},
		{"header too far down", strings.Repeat("heading\n", 40) + "Receipt No.,Completion Time,Paid In\n", "in the first 30 lines"},
		{"a required column missing", "Title\nReceipt No.,Completion Time,Withdrawn\nSL4A2B3C4D,01-12-2026 08:00:00,-1.00\n", "the header row (line 2) lacks Paid In"},
		{"a column twice", "Receipt No.,Completion Time,Paid In,Paid In\n", "has Paid In twice"},
		{"no rows", "Receipt No.,Completion Time,Paid In\n\n", "no transactions follow it"},
		{"empty", "", "no header row"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStatement(strings.NewReader(c.csv))
			if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %v; want ErrLayout saying %q", err, c.says)
			}
		})
	}
}

// Whatever a file holds, reading it ends in a statement whose every record
// is well formed, or in an error that says the file is at fault.
func FuzzParseStatement(f *testing.F) {
	for _, s := range []string{
		"",
		"Receipt No.,Completion Time,Paid In\nSL1A2B3C4D,01-12-2026 08:15:02,\"1,500.00\"\n",
		"Title\nReceipt No,Completion Time,Paid In,Withdrawn,Reason Type,Linked Transaction ID\nSL1A2B3C4D,2026-12-01 8:15,,-5.00,Charge,SL1A2B3C4D\n",
		"Receipt No.,Completion Time,Paid In\n\"SL1A2B3C4D,01-12-2026 08:15:02,5\n",
		"Receipt No.,Completion Time,Paid In\nSL1A2B3C4D,01-12-2026 08:15:02,999999999999999999.99\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStatement(strings.NewReader(s))
		var se *StatementError
		if err != nil {
			if !errors.Is(err, ErrLayout) && !errors.As(err, &se) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		if len(st.Records) == 0 || st.To.Before(st.From) {
			t.Fatalf("statement %+v", st)
		}
		for _, r := range st.Records {
			if len(r.Receipt) != 10 || r.Amount < 0 || r.CompletedAt.IsZero() || r.Kind == "" {
				t.Fatalf("record %+v", r)
			}
		}
	})
}
