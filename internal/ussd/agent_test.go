package ussd

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

const (
	phoneAgent = "254722000333"
	agentPINOK = "1234"
)

// memAgents is an outlet in memory: one agent phone, a float, one shift.
type memAgents struct {
	mu      sync.Mutex
	wrong   int
	float   money.Amount
	credit  money.Amount
	sales   map[string]AgentSale // by request key
	cash    money.Amount
	count   int
	reports int
	resends int
	codes   int
	added   int
}

func newMemAgents() *memAgents {
	return &memAgents{float: money.MustFromMajor(1000), sales: map[string]AgentSale{}}
}

func (m *memAgents) IsAgent(_ context.Context, msisdn string) (bool, error) {
	return msisdn == phoneAgent, nil
}

func (m *memAgents) SignIn(_ context.Context, msisdn, pin string, count bool) (AgentUser, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if msisdn != phoneAgent {
		return AgentUser{}, ErrWrongPIN
	}
	if m.wrong >= 3 {
		return AgentUser{}, ErrPINLocked
	}
	if pin != agentPINOK {
		if count {
			m.wrong++
		}
		return AgentUser{}, ErrWrongPIN
	}
	return AgentUser{ID: "u1", Outlet: "Duka la Mama Wanjiru, Kondele Junction"}, nil
}

func (m *memAgents) Float(context.Context, string) (AgentFloat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// The longest figures a screen may have to show.
	return AgentFloat{Float: money.MustFromMajor(-9999999), Available: money.MustFromMajor(99999999), ShiftSales: 9999, ShiftCash: money.MustFromMajor(99999999)}, nil
}

func (m *memAgents) Sell(_ context.Context, _, key, drn string, amount money.Amount) (AgentSale, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.sales[key]; ok {
		return s, nil
	}
	if drn == "54500999999" {
		return AgentSale{}, ErrMeterNotFound
	}
	if amount > m.float+m.credit {
		return AgentSale{}, ErrAgentNoFloat
	}
	m.float -= amount
	m.cash += amount
	m.count++
	s := AgentSale{Receipt: fmt.Sprintf("AG%08d", len(m.sales))}
	if drn == meterTokenDRN {
		s.Token = "12345678901234567890"
	}
	m.sales[key] = s
	return s, nil
}

// meterTokenDRN is the meter whose sale shows its token at once.
const meterTokenDRN = "0123456789012"

func (m *memAgents) ResendLast(_ context.Context, _, drn string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch drn {
	case "54500999999":
		return ErrMeterNotFound
	case "54500320906":
		return ErrNoTokens
	}
	m.resends++
	return nil
}

func (m *memAgents) Report(_ context.Context, _, drn, _ string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if drn == "54500999999" {
		return "", ErrMeterNotFound
	}
	m.reports++
	return "T-2026-000123", nil
}

func (m *memAgents) SendPhoneCode(_ context.Context, _, drn, phone string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case drn == "54500999999":
		return ErrMeterNotFound
	case strings.HasPrefix(phone, "999"):
		return ErrBadPhone
	}
	m.codes++
	return nil
}

func (m *memAgents) ConfirmPhone(_ context.Context, _, _, _, code string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if code != "246810" {
		return ErrWrongCode
	}
	m.added++
	return nil
}

func (m *memAgents) CloseShift(_ context.Context, _ string, counted money.Amount) (AgentShift, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.count == 0 {
		return AgentShift{}, ErrNoShift
	}
	sh := AgentShift{Sales: m.count, Expected: m.cash, Counted: counted, Difference: counted - m.cash}
	sh.Reconciled = sh.Difference == 0
	m.count, m.cash = 0, 0
	return sh, nil
}

// TestAgentScreensFit walks every agent screen reachable within a few
// inputs, in both languages, and checks each against the 182-character
// limit, as TestEveryScreenFits does for customers' screens.
func TestAgentScreensFit(t *testing.T) {
	t.Parallel()
	inputs := []string{"0", "00", "1", "2", "3", "4", "5", "6", "9", "x", "", agentPINOK, "0000",
		"54500320905", meterTokenDRN, "54500999999", "54500320906", "545", "500", "150000", "150001", "100.50", "99999999",
		"0712345678", "+254712345678", "9990000000", "246810", "123456",
		"wires*sparking near the gate"}
	reached := map[string]bool{}
	for _, lang := range []string{langEN, langSW} {
		t.Run(lang, func(t *testing.T) {
			ag := newMemAgents()
			ag.credit = money.MustFromMajor(1000000)
			tb := setup(t, Options{Brand: "Umeme Prepaid Ltd", Agents: ag})
			tb.b.langs[phoneAgent] = lang
			seen := map[string]bool{}
			queue := []string{"9"}
			longest, longestPath := 0, ""
			for len(queue) > 0 {
				path := queue[0]
				queue = queue[1:]
				ag.mu.Lock()
				ag.wrong = 0 // a walk through wrong PINs would lock every later path
				ag.mu.Unlock()
				sc, stack, err := tb.screenOf(phoneAgent, path)
				if err != nil {
					t.Fatalf("text %q: %v", path, err)
				}
				reply := sc.reply()
				checkReply(t, reply)
				if t.Failed() {
					t.Fatalf("text %q", path)
				}
				if n := runes(reply); n > longest {
					longest, longestPath = n, path
				}
				reached[reflect.TypeOf(stack[len(stack)-1]).Name()] = true
				key := fmt.Sprintf("%#v|%s", stack, reply)
				if seen[key] || sc.end || len(splitPath(path)) >= 6 {
					continue
				}
				seen[key] = true
				for _, in := range inputs {
					queue = append(queue, path+"*"+in)
				}
			}
			t.Logf("%d screens; longest %d characters, at text %q", len(seen), longest, longestPath)
		})
	}
	var want []string
	for _, n := range []node{agentPIN{}, agentMenu{}, agentMeter{}, agentAmount{}, agentConfirm{}, agentNote{}, agentCash{}, agentCloseConfirm{}, agentPhone{}, agentCode{}, endNode{}} {
		if name := reflect.TypeOf(n).Name(); !reached[name] {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	if len(want) > 0 {
		t.Errorf("walk never reached %s", strings.Join(want, ", "))
	}
}

// TestAgentTextsComplete: every agent phrase in both languages, and no
// English left in the Swahili.
func TestAgentTextsComplete(t *testing.T) {
	en, sw := reflect.ValueOf(agentEnglish), reflect.ValueOf(agentSwahili)
	for i := range en.NumField() {
		name := en.Type().Field(i).Name
		e, s := en.Field(i).String(), sw.Field(i).String()
		if e == "" || s == "" {
			t.Errorf("%s: empty in a language", name)
		}
		if e == s {
			t.Errorf("%s: Swahili is the English %q", name, e)
		}
		if strings.Count(e, "%") != strings.Count(s, "%") {
			t.Errorf("%s: the languages take different arguments", name)
		}
	}
}

// TestAgentDialogue: the way an agent sells, checks the float and closes a
// shift, through the gateway's callback; and a stranger's 9 opens nothing.
func TestAgentDialogue(t *testing.T) {
	t.Parallel()
	ag := newMemAgents()
	tb := setup(t, Options{Agents: ag})
	for _, tc := range []struct {
		msisdn, text string
		want         string
	}{
		{phoneNone, "9", "CON Invalid choice."},
		{phoneAgent, "9", "CON Agent: enter your PIN"},
		{phoneAgent, "9*1111", "CON Wrong PIN."},
		{phoneAgent, "9*1234", "CON Duka la Mama Wanjiru, K…:\n1 Sell token (cash)"},
		{phoneAgent, "9*1234*1*54500320905*500", "CON Sell KES 500 of power to meter 54500320905 from your float?"},
		{phoneAgent, "9*1234*1*54500320905*500*1", "END Sold KES 500 to 54500320905. Ref AG00000000."},
		{phoneAgent, "9*1234*1*0123456789012*400*1", "END Sold KES 400 to 0123456789012. Token 1234-5678-9012-3456-7890 Ref AG00000001."},
		{phoneAgent, "9*1234*1*54500320905*200*1", "END Float too low"},
		{phoneAgent, "9*1234*3*54500320905", "END The last token of meter 54500320905"},
		{phoneAgent, "9*1234*4*54500320905*no power since*morning", "END Reported. Reference T-2026-000123."},
		{phoneAgent, "9*1234*6*54500320905*0712345678", "CON A code was sent by SMS to 0712345678."},
		{phoneAgent, "9*1234*6*54500320905*0712345678*111111", "END Wrong or expired code."},
		{phoneAgent, "9*1234*6*54500320905*0712345678*246810", "END Phone 0712345678 added to meter 54500320905."},
		{phoneAgent, "9*1234*5*900*1", "END Shift closed: 2 sales, expected KES 900, counted KES 900. Balanced."},
		{phoneAgent, "9*1234*5*900*1", "END Shift closed: 2 sales"}, // resent: the first answer
	} {
		code, body := tb.post(t, "sess-"+tc.text, tc.msisdn, tc.text)
		if code != 200 || !strings.HasPrefix(body, tc.want) {
			t.Errorf("%s %q: %d %q, want prefix %q", tc.msisdn, tc.text, code, body, tc.want)
		}
	}
	if ag.reports != 1 || ag.resends != 1 || len(ag.sales) != 2 || ag.codes != 1 || ag.added != 1 {
		t.Errorf("reports %d, resends %d, sales %d, codes sent %d (want 1: replays send none), phones added %d",
			ag.reports, ag.resends, len(ag.sales), ag.codes, ag.added)
	}
	// Three wrong PINs typed lock the menu; replaying an old path with a
	// wrong PIN in it counts nothing.
	ag.wrong = 0
	for range 2 {
		tb.post(t, "s-lock", phoneAgent, "9*0000")
	}
	if ag.wrong != 1 {
		t.Errorf("a resent wrong PIN counted %d times", ag.wrong)
	}
	tb.post(t, "s-lock2", phoneAgent, "9*0000*0000")
	if ag.wrong != 2 {
		t.Errorf("wrong PINs counted %d, want 2", ag.wrong)
	}
	tb.post(t, "s-lock3", phoneAgent, "9*0001")
	if _, body := tb.post(t, "s-after", phoneAgent, "9*1234"); !strings.HasPrefix(body, "END Too many wrong PINs") {
		t.Errorf("after three wrong PINs: %q", body)
	}
}
