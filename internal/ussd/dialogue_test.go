package ussd

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// turn is one screen of a dialogue: what the caller types, and fragments the
// screen shown in answer must and must not contain.
type turn struct {
	in   string
	want []string
	not  []string
}

type dialogue struct {
	name  string
	phone string
	fail  map[string]error // backend methods that fail
	turns []turn           // the first turn is the dial: its input is ignored
	after func(t *testing.T, tb *testBundle)
}

func dial(want ...string) turn             { return turn{want: want} }
func typed(in string, want ...string) turn { return turn{in: in, want: want} }

// runDialogue plays the turns as the gateway would: one session, the path
// growing by one input a screen.
func runDialogue(t *testing.T, tb *testBundle, sid, msisdn string, turns []turn) {
	t.Helper()
	path := ""
	for i, tn := range turns {
		if i == 1 {
			path = tn.in
		} else if i > 1 {
			path += "*" + tn.in
		}
		code, body := tb.post(t, sid, msisdn, path)
		if code != 200 {
			t.Fatalf("turn %d (text %q): status %d: %s", i, path, code, body)
		}
		checkReply(t, body)
		for _, w := range tn.want {
			if !strings.Contains(body, w) {
				t.Errorf("turn %d (text %q): screen lacks %q:\n%s", i, path, w, body)
			}
		}
		for _, w := range tn.not {
			if strings.Contains(body, w) {
				t.Errorf("turn %d (text %q): screen has %q:\n%s", i, path, w, body)
			}
		}
	}
}

var errDown = errors.New("database is down")

// errRestarting is what PostgreSQL answers while it starts up again.
var errRestarting = fmt.Errorf("stk push: begin: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"})

func TestDialogues(t *testing.T) {
	t.Parallel()
	dialogues := []dialogue{
		{
			name: "buy for a registered meter", phone: phoneMany,
			turns: []turn{
				dial("CON Mteja\n1 Buy token\n2 My last tokens\n3 I paid but got no token\n4 Purchases and units\n5 Report a fault\n6 Outage status\n7 Language / Lugha"),
				typed("1", "Choose a meter, or type its number:", "1 54500320905 Home\n", "2 0123456789012 Shop on Moi Ave…", "98 More", "0 Back 00 Home"),
				typed("1", "CON Meter 54500320905 Home\nEnter amount (KES 10 to KES 35,000):"),
				typed("500", "CON Buy power for KES 500, meter 54500320905 Home?\n1 Pay with M-Pesa\n0 Back 00 Home"),
				typed("1", "END You will get an M-Pesa prompt to pay KES 500."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if buys, _, _, _ := tb.b.calls(); !slices.Equal(buys, []string{phoneMany + " 54500320905 500.00"}) {
					t.Errorf("buys = %q", buys)
				}
			},
		},
		{
			name: "buy for a typed meter, with wrong entries", phone: phoneNone,
			turns: []turn{
				dial("1 Buy token"),
				typed("1", "CON Enter the meter number:"),
				typed("545", "CON Meter number not valid, check and try again\nEnter the meter number:"),
				typed("54500320906", "Meter number not valid"), // check digit
				typed("54500999999", "Meter number not valid"), // no such meter
				typed("5450032090a", "Meter number not valid"), // not digits
				// Nothing of the owner shows, not even a masked name.
				typed("01234567890", "CON Meter 01234567890\nEnter amount"),
				typed("5", "CON The minimum is KES 10\nMeter 01234567890"),
				typed("50000", "The maximum is KES 35,000"),
				typed("abc", "Enter whole shillings, e.g. 500"),
				typed("100.50", "Enter whole shillings"),
				typed("-100", "Enter whole shillings"),
				typed("35000", "Buy power for KES 35,000, meter 01234567890"),
				typed("2", "CON Invalid choice.\nBuy power for KES 35,000"),
				typed("1", "END You will get an M-Pesa prompt to pay KES 35,000"),
			},
			after: func(t *testing.T, tb *testBundle) {
				if buys, _, _, _ := tb.b.calls(); !slices.Equal(buys, []string{phoneNone + " 01234567890 35000.00"}) {
					t.Errorf("buys = %q", buys)
				}
			},
		},
		{
			name: "a registered meter typed in full keeps its label", phone: phoneMany,
			turns: []turn{dial(), typed("1"), typed("54500320905", "Meter 54500320905 Home\n")},
		},
		{
			name: "amount refused at confirmation ends politely", phone: phoneOne,
			fail: map[string]error{"BuyToken": &LimitError{Amount: 500, Limits: Limits{Min: 1000, Max: 2000000}}},
			turns: []turn{dial(), typed("1"), typed("1"), typed("500"),
				typed("1", "END The amount must be from KES 10 to KES 20,000. Please dial again.")},
		},
		{
			name: "last tokens, pages, back and re-send", phone: phoneMany,
			turns: []turn{
				dial(),
				typed("2", "Choose a meter"),
				typed("1", "CON Meter 54500320905:\n04/01/21 21:32 6.13 kWh\n3683-3915-5230-1084-7777\n04/01/21 21:32 Key change\n1111-2222-3333-4444-5555\n98 More\n1 Send by SMS\n0 Back 00 Home"),
				typed("98", "04/01/21 21:32 Key change\n6666-7777-8888-9999-0000\n1 Send by SMS"),
				{in: "98", want: []string{"Invalid choice.", "6666-7777"}, not: []string{"3683"}},
				typed("0", "3683-3915-5230-1084-7777"),
				typed("1", "END The last tokens of meter 54500320905 will come to you by SMS shortly."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if _, resends, _, _ := tb.b.calls(); !slices.Equal(resends, []string{phoneMany + " 54500320905 3"}) {
					t.Errorf("resends = %q", resends)
				}
			},
		},
		{
			name: "meter list pages", phone: phoneMany,
			turns: []turn{
				dial(), typed("2", "98 More"),
				typed("98", "CON Choose a meter, or type its number:\n5 54500320939 Mum's house in…\n6 54500320947 Posho mill\n7 54500320954 Kiosk\n0 Back 00 Home"),
				typed("7", "No tokens yet for meter 54500320954."),
				typed("1", "CON Invalid choice.\nNo tokens yet"),
				typed("0", "7 54500320954 Kiosk"),
				typed("0", "4 54500320921 Rental block B…\n98 More"),
				typed("2", "CON Meter 0123456789012:\n01/03/24 09:00 12345.67 kWh\n9876-5432-1098-7654-3210\n1 Send by SMS"),
			},
		},
		{
			name: "paid but no token: vended", phone: phoneMany,
			turns: []turn{
				dial(),
				typed("3", "CON Enter the M-Pesa code from your payment SMS (e.g. SKL51ZDR4F):"),
				typed("SKL5", "CON Code not valid: 10 letters and digits"),
				typed("SKL51ZDR4!", "Code not valid"),
				typed("skl51zdr4f", "CON Payment SKL51ZDR4F, meter 54500320905:\nKey change: 1111-2222-3333-4444-5555\nKey change: 6666-7777-8888-9999-0000\n6.13 kWh: 3683-3915-5230-1084-7777\n0 Back 00 Home"),
				typed("98", "CON Invalid choice.\nKey change: 1111-2222-3333-4444-5555\n"),
			},
		},
		{name: "paid but no token: pending", phone: phoneNone, turns: []turn{dial(), typed("3"),
			typed("SKL51ZDR4P", "END We are checking payment SKL51ZDR4P with M-Pesa. Please dial again in a minute.")}},
		{name: "paid but no token: vended without a token yet", phone: phoneNone, turns: []turn{dial(), typed("3"),
			typed("SKL51ZDR4V", "END We are checking payment SKL51ZDR4V")}},
		{name: "paid but no token: not found", phone: phoneNone, turns: []turn{dial(), typed("3"),
			typed("SKL51ZDR4N", "END No payment found with code SKL51ZDR4N.")}},
		{name: "paid but no token: suspense", phone: phoneNone, turns: []turn{dial(), typed("3"),
			typed("SKL51ZDR4S", "END Payment SKL51ZDR4S was received and our team is checking it.", "\nThe account typed, 5450032", "…")}},
		{name: "paid but no token: a lookup without state is an error", phone: phoneNone, turns: []turn{dial(), typed("3"),
			typed("SKL51ZDR4X", "END Service unavailable, please try again")}},
		{
			name: "purchases", phone: phoneOne,
			turns: []turn{
				dial(), typed("4"),
				typed("1", "CON Meter 54500320905:\n04/01/21 KES 100 6.13 kWh SKL51ZDR4F\n20/12/20 KES 200 12.40 kWh SLK2QWERTY (incl. compensation KES 50)", "98 More"),
				typed("98", "01/11/20 KES 1,234.56 80.10 kWh SLK2QWERT2"),
			},
		},
		{name: "no purchases", phone: phoneMany, turns: []turn{dial(), typed("4"), typed("3", "CON No purchases yet for meter 54500320913.\n0 Back 00 Home")}},
		// Another's meter: its tokens (a token works only in its meter),
		// but not what was bought, no re-send by SMS, and no purchases.
		{name: "tokens of another's meter", phone: phoneNone, turns: []turn{dial(), typed("2"),
			typed("54500320905", "CON Meter 54500320905:\n04/01/21 21:32\n3683-3915-5230-1084-7777\n04/01/21 21:32 Key change\n1111-2222-3333-4444-5555\n04/01/21 21:32 Key change\n6666-7777-8888-9999-0000\n0 Back 00 Home"),
			typed("1", "Invalid choice.")},
			after: func(t *testing.T, tb *testBundle) {
				if _, resends, _, _ := tb.b.calls(); len(resends) != 0 {
					t.Errorf("re-sends to a stranger: %q", resends)
				}
			}},
		{name: "purchases of another's meter", phone: phoneNone, turns: []turn{dial(), typed("4"),
			typed("54500320905", "END Purchases of meter 54500320905 are shown only to its registered phones.")}},
		{name: "too many meters looked up", phone: phoneNone, fail: map[string]error{"CheckMeter": ErrTooMany}, turns: []turn{dial(), typed("2"),
			typed("54500320905", "END You have looked up many meters. Please try again in an hour.")}},
		{
			name: "report no power", phone: phoneOne,
			turns: []turn{
				dial(),
				typed("5", "CON Report a fault:\n1 No power\n2 Meter rejects token\n3 Other\n4 What my meter shows\n5 Paid, no token\n0 Back 00 Home"),
				typed("9", "Invalid choice."),
				typed("1", "Choose a meter"),
				typed("1", "CON Report \"No power\" at meter 54500320905 Home?\n1 Yes, report"),
				typed("1", "END Fault reported. Reference FLT-2024-000123-1. Our team will contact you."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if _, _, faults, _ := tb.b.calls(); !slices.Equal(faults, []string{phoneOne + " 54500320905 no_power "}) {
					t.Errorf("faults = %q", faults)
				}
			},
		},
		{
			name: "report another fault with a '*' in the note", phone: phoneOne,
			turns: []turn{
				dial(), typed("5"), typed("3"), typed("1", "Describe the problem briefly:"),
				typed("", "CON Please type a few words"),
				typed("wires sparking", "END Fault reported."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if _, _, faults, _ := tb.b.calls(); !slices.Equal(faults, []string{phoneOne + " 54500320905 other wires sparking"}) {
					t.Errorf("faults = %q", faults)
				}
			},
		},
		{name: "outage known, long text cut to fit", phone: phoneMany, turns: []turn{dial(), typed("6"),
			typed("3", "END Planned maintenance in Kilimani until 17:00 today.", "…")}},
		{name: "no known outage", phone: phoneOne, turns: []turn{dial(), typed("6"), typed("1", "END No known power outage in your area.")}},
		{
			name: "language to Swahili", phone: phoneOne,
			turns: []turn{dial(), typed("7", "CON Language / Lugha:\n1 English\n2 Kiswahili\n0 Back 00 Home"),
				typed("3", "Invalid choice."), typed("2", "END Lugha sasa ni Kiswahili.")},
			after: func(t *testing.T, tb *testBundle) {
				if _, _, _, ls := tb.b.calls(); !slices.Equal(ls, []string{phoneOne + " sw"}) {
					t.Errorf("languages set = %q", ls)
				}
				_, body := tb.post(t, "next", phoneOne, "")
				if !strings.Contains(body, "1 Nunua tokeni") {
					t.Errorf("next session not in Swahili:\n%s", body)
				}
			},
		},
		{
			name: "navigation: back, home, wrong choices", phone: phoneMany,
			turns: []turn{
				dial(),
				typed("0", "CON Mteja\n1 Buy token"), // back on home stays home
				typed("9", "CON Invalid choice.\n1 Buy token"),
				typed("x", "CON Invalid choice.\n1 Buy token"),
				typed("1", "Choose a meter"),
				typed("99", "CON Invalid choice.\n1 54500320905 Home"),
				typed("0", "CON Mteja\n"),
				typed("1", "Choose a meter"),
				typed("1", "Enter amount"),
				typed("500", "Buy power for KES 500"),
				typed("0", "Enter amount"),
				typed("200", "Buy power for KES 200"),
				typed("00", "CON Mteja\n"),
				typed("2", "Choose a meter"),
				typed("1", "3683-3915-5230-1084-7777"),
				typed("00", "CON Mteja\n"),
				typed("00", "CON Mteja\n"),
				typed("1"), typed("1"), typed("300"),
				typed("1", "END You will get an M-Pesa prompt to pay KES 300."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if buys, _, _, _ := tb.b.calls(); !slices.Equal(buys, []string{phoneMany + " 54500320905 300.00"}) {
					t.Errorf("buys = %q", buys)
				}
			},
		},
		{
			name: "Swahili buy", phone: phoneSw,
			turns: []turn{
				dial("CON Mteja\n1 Nunua tokeni\n2 Tokeni zangu za mwisho\n3 Nimelipa, sina tokeni\n4 Manunuzi na uniti\n5 Ripoti hitilafu\n6 Kukatika kwa umeme\n7 Lugha / Language"),
				typed("8", "CON Chaguo si sahihi.\n1 Nunua tokeni"),
				typed("1", "Chagua mita, au andika nambari yake:", "98 Zaidi", "0 Rudi 00 Mwanzo"),
				typed("12", "Chaguo si sahihi."),
				typed("123", "CON Nambari ya mita si sahihi, ikague ujaribu tena\n1 54500320905 Home"),
				typed("1", "CON Mita 54500320905 Home\nWeka kiasi (KES 10 hadi KES 35,000):"),
				typed("9", "Kiasi cha chini ni KES 10"),
				typed("250", "CON Nunua umeme wa KES 250 kwa mita 54500320905 Home?\n1 Lipa kwa M-Pesa\n0 Rudi 00 Mwanzo"),
				typed("1", "END Utapokea ombi la M-Pesa la kulipa KES 250."),
			},
		},
		{
			name: "Swahili tokens, paid and fault", phone: phoneSw,
			turns: []turn{
				dial(), typed("2"),
				typed("1", "CON Mita 54500320905:\n04/01/21 21:32 6.13 kWh\n3683-3915-5230-1084-7777\n04/01/21 21:32 Kubadili ufunguo\n1111-2222-3333-4444-5555\n98 Zaidi\n1 Tuma kwa SMS\n0 Rudi 00 Mwanzo"),
				typed("2", "CON Chaguo si sahihi.\n04/01/21 21:32 6.13 kWh"),
				typed("00"), typed("3", "Weka msimbo wa M-Pesa"),
				typed("SKL", "Msimbo si sahihi"),
				typed("0"), typed("5", "CON Ripoti hitilafu:\n1 Hakuna umeme\n2 Mita inakataa tokeni\n3 Nyingine"),
				typed("2"), typed("1", "Ripoti \"Mita inakataa tokeni\" kwa mita 54500320905 Home?\n1 Ndiyo, ripoti"),
				typed("1", "END Hitilafu imeripotiwa. Nambari ya kumbukumbu FLT-2024-000123-1."),
			},
		},
		{
			name: "what the meter shows, before any report", phone: phoneNone,
			turns: []turn{
				dial(),
				typed("5", "4 What my meter shows"),
				typed("4", "CON What does your meter show?\n1 Rejected\n2 Already used\n3 Keypad not linked to the mete…\n", "98 More"),
				typed("98", "Message number"),
				typed("0"),
				typed("1", "END Check the meter number on the SMS is this meter's and retype the 20 digits slowly. Still rejected? Report it."),
			},
			after: func(t *testing.T, tb *testBundle) {
				if _, _, faults, _ := tb.b.calls(); len(faults) != 0 {
					t.Errorf("faults = %q, want none", faults)
				}
			},
		},
		{name: "Swahili meter message", phone: phoneSw,
			turns: []turn{dial(), typed("5", "4 Ujumbe wa mita yangu"), typed("4", "Mita yako inaonyesha nini?\n1 Imekataliwa"), typed("1", "END Hakikisha nambari")}},
		{name: "meter messages unavailable", phone: phoneOne, fail: map[string]error{"MeterMessages": errDown},
			turns: []turn{dial(), typed("5"), typed("4", "END Service unavailable")}},
		{name: "Swahili outage and pending", phone: phoneSw, turns: []turn{dial(), typed("6"), typed("1", "END Hakuna taarifa ya kukatika kwa umeme")}},
		{
			name: "backend error ends the session politely", phone: phoneMany,
			fail:  map[string]error{"LastTokens": errDown},
			turns: []turn{dial(), typed("2"), typed("1", "END Service unavailable, please try again")},
			after: func(t *testing.T, tb *testBundle) {
				logs := tb.logged()
				if !strings.Contains(logs, "2547*****001") || strings.Contains(logs, phoneMany) {
					t.Errorf("log does not mask the phone:\n%s", logs)
				}
				if !strings.Contains(logs, "database is down") {
					t.Errorf("log lacks the error:\n%s", logs)
				}
			},
		},
		{name: "backend error in Swahili", phone: phoneSw, fail: map[string]error{"MetersForPhone": errDown},
			turns: []turn{dial(), typed("1", "END Huduma haipatikani, tafadhali jaribu tena")}},
		{name: "failed purchase start", phone: phoneOne, fail: map[string]error{"BuyToken": errDown},
			turns: []turn{dial(), typed("1"), typed("1"), typed("100"), typed("1", "END Service unavailable")}},
		// The database restarting is not "unavailable": the caller is told
		// to dial again in a minute, in the caller's language.
		{name: "purchase while the database restarts", phone: phoneOne, fail: map[string]error{"BuyToken": errRestarting},
			turns: []turn{dial(), typed("1"), typed("1"), typed("100"), typed("1", "END The service is restarting. Nothing was done. Please dial again in a minute.")}},
		{name: "purchase while the database restarts, Swahili", phone: phoneSw, fail: map[string]error{"BuyToken": errRestarting},
			turns: []turn{dial(), typed("1"), typed("1"), typed("100"), typed("1", "END Huduma inaanza upya. Hakuna kilichofanyika. Tafadhali piga tena baada ya dakika moja.")}},
		{name: "language unknown: default serves", phone: phoneSw, fail: map[string]error{"Language": errDown},
			turns: []turn{dial("1 Buy token")}},
		{name: "check meter fails", phone: phoneNone, fail: map[string]error{"CheckMeter": errDown},
			turns: []turn{dial(), typed("1"), typed("54500320905", "END Service unavailable")}},
		{
			name: "input after END acts on nothing", phone: phoneOne,
			turns: []turn{dial(), typed("1"), typed("1"), typed("100"), typed("1", "END You will get"),
				typed("1", "END Session ended. Please dial again.")},
			after: func(t *testing.T, tb *testBundle) {
				if buys, _, _, _ := tb.b.calls(); len(buys) != 1 {
					t.Errorf("buys = %q, want one", buys)
				}
			},
		},
	}
	for _, d := range dialogues {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t, Options{})
			for m, err := range d.fail {
				tb.b.fail[m] = err
			}
			runDialogue(t, tb, "ATUid_"+d.name, d.phone, d.turns)
			if d.after != nil {
				d.after(t, tb)
			}
		})
	}
}
