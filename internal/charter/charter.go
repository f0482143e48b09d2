// Package charter is the utility's service charter: the standards it
// promises customers (a "no token" complaint answered within four hours,
// supply restored within a day), the clock of each case against them, and
// the compensation a customer is owed when one is missed.
//
// The charter is configuration, a YAML file versioned like tariffs: each
// standard names the event that starts its clock and the one that stops
// it, a calendar (around the clock, or business hours without Kenyan public
// holidays), a target, an escalation point before it, and a compensation
// rule.
package charter

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mteja/mteja/internal/money"
)

// Events that start and stop a standard's clock. A standard starts on one
// of the first three and stops on its pair.
const (
	TicketOpened    = "ticket_opened"    // a ticket of the standard's category is opened
	TicketResolved  = "ticket_resolved"  // ... and resolved
	OutageStarted   = "outage_started"   // an outage in the customer's area begins
	OutageRestored  = "outage_restored"  // ... and supply is restored
	PaymentReceived = "payment_received" // a payment for a meter arrives
	TokenDelivered  = "token_delivered"  // ... and its token reaches the customer
)

// stopOf pairs each start event with the one that stops its clock.
var stopOf = map[string]string{TicketOpened: TicketResolved, OutageStarted: OutageRestored, PaymentReceived: TokenDelivered}

// Calendars a clock can run on.
const (
	AroundTheClock = "around_the_clock"
	BusinessHours  = "business_hours"
)

// Standard is one promise of the charter.
type Standard struct {
	Code     string
	EN, SW   string // what the public report calls it
	Start    string // the event that starts the clock
	Stop     string // the event that stops it
	Category string // for ticket events: the ticket category
	Calendar string // AroundTheClock or BusinessHours
	Target   time.Duration
	Escalate time.Duration // before Target: the case is flagged to staff
	Comp     Compensation
	Line     int // where it starts in the file, for messages
}

// Title is the standard's name in lang.
func (s Standard) Title(lang string) string {
	if lang == "sw" {
		return s.SW
	}
	return s.EN
}

// Compensation is what a customer is owed for a breach: a fixed amount,
// or a share of the month's fixed charge of the meter's tariff.
type Compensation struct {
	Fixed      money.Amount
	ShareBasis int64 // share of the fixed charge in basis points (1000 = 10%)
}

// Amount is the compensation for a meter whose tariff's monthly fixed
// charge is fixedMonthly. A share is rounded half up to the minor unit,
// the one rounding point of compensation.
func (c Compensation) Amount(fixedMonthly money.Amount) money.Amount {
	if c.ShareBasis == 0 {
		return c.Fixed
	}
	return money.Amount((int64(fixedMonthly)*c.ShareBasis + 5000) / 10000)
}

// Charter is one version of the service charter.
type Charter struct {
	Version   time.Time // the date it takes effect, EAT
	Hours     Hours
	Holidays  Holidays
	Standards []Standard
}

// Standard returns the standard with code.
func (c *Charter) Standard(code string) (Standard, bool) {
	for _, s := range c.Standards {
		if s.Code == code {
			return s, true
		}
	}
	return Standard{}, false
}

//go:embed charter.yaml
var defaultCharter []byte

//go:embed holidays_ke.yaml
var defaultHolidays []byte

// Default is the shipped charter with the shipped Kenyan holidays.
func Default() (*Charter, error) {
	return Parse(defaultCharter, "charter.yaml")
}

// Load reads the charter from path; "" is the shipped default.
func Load(path string) (*Charter, error) {
	if path == "" {
		return Default()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("service charter: %w", err)
	}
	return Parse(b, path)
}

type rawCharter struct {
	Version       string      `yaml:"version"`
	BusinessHours rawHours    `yaml:"business_hours"`
	Holidays      string      `yaml:"holidays"` // a file; "" is the shipped Kenyan list
	Standards     []yaml.Node `yaml:"standards"`
}

type rawHours struct {
	Days  []string `yaml:"days"`
	Open  string   `yaml:"open"`
	Close string   `yaml:"close"`
}

type rawStandard struct {
	Code         string `yaml:"code"`
	EN           string `yaml:"en"`
	SW           string `yaml:"sw"`
	Start        string `yaml:"start"`
	Stop         string `yaml:"stop"`
	Category     string `yaml:"category"`
	Calendar     string `yaml:"calendar"`
	Target       string `yaml:"target"`
	Escalate     string `yaml:"escalate"`
	Compensation struct {
		Fixed string `yaml:"fixed"`
		Share string `yaml:"fixed_charge_share"`
	} `yaml:"compensation"`
}

// Parse reads a charter; name is the file's name for messages. Every error
// names the line of the standard at fault: a charter that would misjudge
// cases must not start.
func Parse(b []byte, name string) (*Charter, error) {
	var raw rawCharter
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("service charter %s: %w", name, err)
	}
	c := &Charter{}
	var err error
	if c.Version, err = time.ParseInLocation("2006-01-02", raw.Version, Zone); err != nil {
		return nil, fmt.Errorf("service charter %s: version %q: want the date it takes effect, YYYY-MM-DD", name, raw.Version)
	}
	if c.Hours, err = parseHours(raw.BusinessHours); err != nil {
		return nil, fmt.Errorf("service charter %s: business_hours: %w", name, err)
	}
	hb, hname := defaultHolidays, "holidays_ke.yaml"
	if raw.Holidays != "" {
		if hb, err = os.ReadFile(raw.Holidays); err != nil {
			return nil, fmt.Errorf("service charter %s: holidays: %w", name, err)
		}
		hname = raw.Holidays
	}
	if c.Holidays, err = ParseHolidays(hb, hname); err != nil {
		return nil, fmt.Errorf("service charter %s: %w", name, err)
	}
	if len(raw.Standards) == 0 {
		return nil, fmt.Errorf("service charter %s: no standards", name)
	}
	seen := map[string]int{}
	for i := range raw.Standards {
		n := &raw.Standards[i]
		s, err := parseStandard(n)
		if err != nil {
			return nil, fmt.Errorf("service charter %s line %d: %w", name, n.Line, err)
		}
		if l, dup := seen[s.Code]; dup {
			return nil, fmt.Errorf("service charter %s line %d: standard %q already on line %d", name, n.Line, s.Code, l)
		}
		seen[s.Code] = n.Line
		c.Standards = append(c.Standards, s)
	}
	return c, nil
}

func parseStandard(n *yaml.Node) (Standard, error) {
	var r rawStandard
	if err := n.Decode(&r); err != nil {
		return Standard{}, err
	}
	s := Standard{Code: r.Code, EN: r.EN, SW: r.SW, Start: r.Start, Stop: r.Stop, Category: r.Category, Calendar: r.Calendar, Line: n.Line}
	if s.Code == "" || len(s.Code) > 40 || strings.Trim(s.Code, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return s, fmt.Errorf("code %q: want a word of lower-case letters, digits and _ (at most 40)", s.Code)
	}
	if s.EN == "" || s.SW == "" {
		return s, fmt.Errorf("standard %s: want both an English (en) and a Swahili (sw) title", s.Code)
	}
	stop, ok := stopOf[s.Start]
	if !ok {
		return s, fmt.Errorf("standard %s: start %q: want %s, %s or %s", s.Code, s.Start, TicketOpened, OutageStarted, PaymentReceived)
	}
	if s.Stop != stop {
		return s, fmt.Errorf("standard %s: stop %q: a clock started by %s stops at %s", s.Code, s.Stop, s.Start, stop)
	}
	if (s.Start == TicketOpened) != (s.Category != "") {
		return s, fmt.Errorf("standard %s: a ticket standard names its category, and only a ticket standard does", s.Code)
	}
	if s.Calendar != AroundTheClock && s.Calendar != BusinessHours {
		return s, fmt.Errorf("standard %s: calendar %q: want %s or %s", s.Code, s.Calendar, AroundTheClock, BusinessHours)
	}
	var err error
	if s.Target, err = time.ParseDuration(r.Target); err != nil || s.Target <= 0 {
		return s, fmt.Errorf("standard %s: target %q: want a duration such as 4h", s.Code, r.Target)
	}
	if s.Escalate, err = time.ParseDuration(r.Escalate); err != nil || s.Escalate <= 0 || s.Escalate >= s.Target {
		return s, fmt.Errorf("standard %s: escalate %q: want a duration before the target %s", s.Code, r.Escalate, s.Target)
	}
	switch f, sh := r.Compensation.Fixed, r.Compensation.Share; {
	case (f == "") == (sh == ""):
		return s, fmt.Errorf("standard %s: compensation: want either fixed (an amount) or fixed_charge_share (a percentage)", s.Code)
	case f != "":
		if s.Comp.Fixed, err = money.Parse(f); err != nil || s.Comp.Fixed <= 0 {
			return s, fmt.Errorf("standard %s: compensation fixed %q: want a positive amount such as 50.00", s.Code, f)
		}
	default:
		if s.Comp.ShareBasis, err = parsePercent(sh); err != nil {
			return s, fmt.Errorf("standard %s: compensation fixed_charge_share %q: %w", s.Code, sh, err)
		}
	}
	return s, nil
}

// parsePercent reads "10%" or "12.5%" as basis points, without floats.
func parsePercent(s string) (int64, error) {
	p, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return 0, fmt.Errorf("want a percentage such as 10%%")
	}
	whole, frac, _ := strings.Cut(p, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 3 {
		return 0, fmt.Errorf("want a percentage such as 10%% or 12.5%%")
	}
	var bp int64
	for _, d := range whole {
		bp = bp*10 + int64(d-'0')
	}
	bp *= 100
	frac = (frac + "00")[:2]
	bp += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if bp <= 0 || bp > 10000 {
		return 0, fmt.Errorf("want more than 0%% and at most 100%%")
	}
	return bp, nil
}
