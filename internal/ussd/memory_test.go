package ussd

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// memBackend is an in-memory Backend for the menu tests. It records every
// call that changes something, so tests can count STK pushes and tickets.
type memBackend struct {
	mu sync.Mutex

	meters    map[string][]Meter    // by phone
	known     map[string]MeterCheck // meters that exist, by number
	tokens    map[string][]Token    // by meter, newest first
	purchases map[string][]Purchase // by meter, newest first
	payments  map[string]PaymentLookup
	outages   map[string]string // by meter
	langs     map[string]string // by phone
	limits    Limits
	faultRef  string

	fail     map[string]error // method name → error it returns
	buyGate  chan struct{}    // when set, BuyToken waits for it
	buyEnter chan struct{}    // when set, BuyToken signals it started

	buys    []string // "phone drn amount"
	resends []string // "phone drn n"
	faults  []string // "phone drn kind note"
	langSet []string // "phone lang"
	lookups []string // receipt codes looked up
	used    int      // backend methods called
}

var eat = time.FixedZone("EAT", 3*60*60)

// Phones of the fixtures.
const (
	phoneMany = "254700000001" // seven meters, English
	phoneNone = "254700000002" // no meter registered
	phoneOne  = "254700000003" // one meter
	phoneSw   = "254700000004" // seven meters, Swahili
)

func newMemBackend() *memBackend {
	seven := []Meter{
		{DRN: "54500320905", Label: "Home"},
		{DRN: "0123456789012", Label: "Shop on Moi Avenue, ground floor"},
		{DRN: "54500320913", Label: ""},
		{DRN: "54500320921", Label: "Rental block B flat 12"},
		{DRN: "54500320939", Label: "Mum's house in Kisumu"},
		{DRN: "54500320947", Label: "Posho mill"},
		{DRN: "54500320954", Label: "Kiosk"},
	}
	b := &memBackend{
		meters: map[string][]Meter{
			phoneMany: seven,
			phoneSw:   seven,
			phoneOne:  {{DRN: "54500320905", Label: "Home"}},
		},
		known: map[string]MeterCheck{
			"54500320905":   {DRN: "54500320905"},
			"01234567890":   {DRN: "01234567890"},
			"0123456789012": {DRN: "0123456789012"},
		},
		tokens: map[string][]Token{
			"54500320905": {
				{Digits: "36833915523010847777", Units: "6.13", Amount: money.MustFromMajor(100), At: time.Date(2021, 1, 4, 21, 32, 0, 0, eat), Receipt: "SKL51ZDR4F"},
				{Digits: "11112222333344445555", KeyChange: true, At: time.Date(2021, 1, 4, 21, 32, 0, 0, eat), Receipt: "SKL51ZDR4F"},
				{Digits: "66667777888899990000", KeyChange: true, At: time.Date(2021, 1, 4, 21, 32, 0, 0, eat), Receipt: "SKL51ZDR4F"},
				{Digits: "12341234123412341234", Units: "12.40", At: time.Date(2020, 12, 20, 8, 5, 0, 0, eat)},
			},
			"0123456789012": {
				{Digits: "98765432109876543210", Units: "12345.67", Amount: money.MustFromMajor(150000), At: time.Date(2024, 3, 1, 9, 0, 0, 0, eat)},
			},
		},
		purchases: map[string][]Purchase{
			"54500320905": {
				{At: time.Date(2021, 1, 4, 21, 32, 0, 0, eat), Amount: money.MustFromMajor(100), Units: "6.13", Receipt: "SKL51ZDR4F"},
				{At: time.Date(2020, 12, 20, 8, 5, 0, 0, eat), Amount: money.MustFromMajor(200), Units: "12.40", Receipt: "SLK2QWERTY", Compensation: money.MustFromMajor(50)},
				{At: time.Date(2020, 12, 1, 8, 5, 0, 0, eat), Amount: money.MustFromMajor(150000), Units: "9876.54", Receipt: "SLK2QWERT1"},
				{At: time.Date(2020, 11, 1, 8, 5, 0, 0, eat), Amount: 123456, Units: "80.10", Receipt: "SLK2QWERT2"},
				{At: time.Date(2020, 10, 1, 8, 5, 0, 0, eat), Amount: money.MustFromMajor(50), Units: "3.00", Receipt: "SLK2QWERT3"},
			},
		},
		payments: map[string]PaymentLookup{
			"SKL51ZDR4F": {State: PaymentVended, DRN: "54500320905", Amount: money.MustFromMajor(100), Tokens: []Token{
				{Digits: "11112222333344445555", KeyChange: true},
				{Digits: "66667777888899990000", KeyChange: true},
				{Digits: "36833915523010847777", Units: "6.13"},
			}},
			"SKL51ZDR4G": {State: PaymentVended, DRN: "0123456789012", Tokens: []Token{
				{Digits: "98765432109876543210", Units: "12345.67"},
			}},
			"SKL51ZDR4V": {State: PaymentVended, DRN: "54500320905"}, // no token yet
			"SKL51ZDR4P": {State: PaymentPending},
			"SKL51ZDR4S": {State: PaymentSuspense, Message: "The account typed, 5450032, is not a meter number. " + strings.Repeat("More detail. ", 10)},
			"SKL51ZDR4X": {}, // a backend that forgot the state
		},
		outages: map[string]string{
			"54500320913": "Planned maintenance in Kilimani until 17:00 today. " + strings.Repeat("Crews are on site. ", 12),
		},
		langs:    map[string]string{phoneSw: langSW},
		limits:   Limits{Min: money.MustFromMajor(10), Max: money.MustFromMajor(35000)},
		faultRef: "FLT-2024-000123",
		fail:     map[string]error{},
	}
	return b
}

func (b *memBackend) failing(method string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used++
	return b.fail[method]
}

// uses returns how many backend calls were made.
func (b *memBackend) uses() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

func (b *memBackend) MetersForPhone(_ context.Context, msisdn string) ([]Meter, error) {
	if err := b.failing("MetersForPhone"); err != nil {
		return nil, err
	}
	return b.meters[msisdn], nil
}

// own returns msisdn's registered meter drn, if it is one.
func (b *memBackend) own(msisdn, drn string) (Meter, bool) {
	for _, m := range b.meters[msisdn] {
		if m.DRN == drn {
			return m, true
		}
	}
	return Meter{}, false
}

func (b *memBackend) CheckMeter(_ context.Context, msisdn, drn string) (MeterCheck, error) {
	if err := b.failing("CheckMeter"); err != nil {
		return MeterCheck{}, err
	}
	if c, ok := b.known[drn]; ok {
		if m, own := b.own(msisdn, drn); own {
			c.Own, c.Label = true, m.Label
		}
		return c, nil
	}
	if strings.HasSuffix(drn, "6") {
		return MeterCheck{}, fmt.Errorf("check %s: %w", drn, ErrMeterInvalid)
	}
	return MeterCheck{}, fmt.Errorf("check %s: %w", drn, ErrMeterNotFound)
}

func (b *memBackend) LastTokens(_ context.Context, msisdn, drn string, n int) ([]Token, error) {
	if err := b.failing("LastTokens"); err != nil {
		return nil, err
	}
	t := b.tokens[drn]
	t = t[:min(n, len(t))]
	if _, own := b.own(msisdn, drn); !own {
		bare := make([]Token, len(t))
		for i, tk := range t {
			bare[i] = Token{Digits: tk.Digits, At: tk.At, KeyChange: tk.KeyChange}
		}
		t = bare
	}
	return t, nil
}

func (b *memBackend) ResendTokens(_ context.Context, msisdn, drn string, n int) error {
	if err := b.failing("ResendTokens"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.resends = append(b.resends, fmt.Sprintf("%s %s %d", msisdn, drn, n))
	return nil
}

func (b *memBackend) BuyLimits(context.Context, string) (Limits, error) {
	if err := b.failing("BuyLimits"); err != nil {
		return Limits{}, err
	}
	return b.limits, nil
}

func (b *memBackend) BuyToken(_ context.Context, msisdn, drn string, amount money.Amount) error {
	if b.buyEnter != nil {
		b.buyEnter <- struct{}{}
	}
	if b.buyGate != nil {
		<-b.buyGate
	}
	if err := b.failing("BuyToken"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buys = append(b.buys, fmt.Sprintf("%s %s %s", msisdn, drn, amount.Plain()))
	return nil
}

func (b *memBackend) FindPayment(_ context.Context, _, receipt string) (PaymentLookup, error) {
	if err := b.failing("FindPayment"); err != nil {
		return PaymentLookup{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lookups = append(b.lookups, receipt)
	if p, ok := b.payments[receipt]; ok {
		return p, nil
	}
	return PaymentLookup{State: PaymentNotFound}, nil
}

func (b *memBackend) RecentPurchases(_ context.Context, msisdn, drn string, n int) ([]Purchase, error) {
	if err := b.failing("RecentPurchases"); err != nil {
		return nil, err
	}
	if _, own := b.own(msisdn, drn); !own {
		return nil, ErrNotYours
	}
	p := b.purchases[drn]
	return p[:min(n, len(p))], nil
}

func (b *memBackend) ReportFault(_ context.Context, msisdn, drn string, kind FaultKind, note string) (string, error) {
	if err := b.failing("ReportFault"); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = append(b.faults, fmt.Sprintf("%s %s %s %s", msisdn, drn, kind, note))
	return fmt.Sprintf("%s-%d", b.faultRef, len(b.faults)), nil
}

func (b *memBackend) OutageStatus(_ context.Context, _, drn, lang string) (string, error) {
	if err := b.failing("OutageStatus"); err != nil {
		return "", err
	}
	return b.outages[drn], nil
}

func (b *memBackend) MeterMessages(_ context.Context, lang string) ([]MeterMessage, error) {
	if err := b.failing("MeterMessages"); err != nil {
		return nil, err
	}
	ms := []MeterMessage{
		{Name: "Rejected", Say: "Check the meter number on the SMS is this meter's and retype the 20 digits slowly. Still rejected? Report it."},
		{Name: "Already used", Say: "This token was entered before and its units are already in the meter."},
		{Name: "Keypad not linked to the meter unit", Say: "The keypad cannot reach the meter. Move it closer to the meter and try again. Still failing? Report it."},
	}
	for i := range 12 {
		ms = append(ms, MeterMessage{Name: fmt.Sprintf("Message number %d of the meter", i+4), Say: strings.Repeat("x", 170)})
	}
	if lang == langSW {
		ms[0] = MeterMessage{Name: "Imekataliwa", Say: "Hakikisha nambari ya mita kwenye SMS ni ya mita hii."}
	}
	return ms, nil
}

func (b *memBackend) Language(_ context.Context, msisdn string) (string, error) {
	if err := b.failing("Language"); err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.langs[msisdn], nil
}

func (b *memBackend) SetLanguage(_ context.Context, msisdn, lang string) error {
	if err := b.failing("SetLanguage"); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.langs[msisdn] = lang
	b.langSet = append(b.langSet, msisdn+" "+lang)
	return nil
}

func (b *memBackend) calls() (buys, resends, faults, langSet []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.buys...), append([]string(nil), b.resends...),
		append([]string(nil), b.faults...), append([]string(nil), b.langSet...)
}
