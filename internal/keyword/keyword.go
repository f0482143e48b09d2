// Package keyword answers SMS sent to the utility's short code: TOKEN
// [meter], BAL, HELP, STOP and START, in English or Swahili (TOKENI, SALIO,
// MSAADA, SITISHA, ANZA), so that a customer with a basic phone can get a
// token again without an app or an office. Where an ISP is served too,
// USAGE (MATUMIZI) and VOUCHER (VOCHA) are its subscribers'.
package keyword

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/outage"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/usage"
	"github.com/mteja/mteja/internal/vend"
)

// Responder answers keywords.
type Responder struct {
	DB       *store.DB
	Utility  string
	USSDCode string
	Keyword  string // the short code or number customers text, for the help text

	Usage *usage.Counter // counts the keywords used; nil counts nothing
	// Internet answers the ISP's keywords; nil where no ISP is served,
	// and they are then unknown words.
	Internet Internet
	// Desk opens a ticket for HELP (MSAADA) with a text, and takes the
	// words of a customer with an active ticket onto it; nil leaves both
	// to the help text and "we did not understand".
	Desk *care.Desk
	// Outages answers STATUS (HALI), SUBSCRIBE (JIUNGE), UNSUBSCRIBE
	// (JITOE), NOPOWER (GIZA) and the digit that answers a restoration
	// notice; nil leaves them unknown words.
	Outages *outage.Phone
}

// Internet is what the ISP's billing (package isp) answers by SMS.
type Internet interface {
	// UsageText is a subscriber's remaining data and time, to their own
	// phones: USAGE [username].
	UsageText(ctx context.Context, msisdn, lang string, args []string) (string, error)
	// RedeemText uses a voucher: VOUCHER code [username].
	RedeemText(ctx context.Context, msisdn, lang string, args []string) (string, error)
}

type command struct {
	name string // canonical: token, bal, help, stop, start
	lang string // the language the keyword was written in
}

var keywords = map[string]command{
	"TOKEN": {"token", "en"}, "TOKENS": {"token", "en"}, "TOKENI": {"token", "sw"},
	"BAL": {"bal", "en"}, "BALANCE": {"bal", "en"}, "SALIO": {"bal", "sw"},
	"HELP": {"help", "en"}, "MSAADA": {"help", "sw"},
	"STOP": {"stop", "en"}, "SITISHA": {"stop", "sw"},
	"START": {"start", "en"}, "ANZA": {"start", "sw"},
	"USAGE": {"usage", "en"}, "MATUMIZI": {"usage", "sw"},
	"VOUCHER": {"voucher", "en"}, "VOCHA": {"voucher", "sw"},
	"METER": {"meter", "en"}, "MITA": {"meter", "sw"},
	"STATUS": {"status", "en"}, "HALI": {"status", "sw"},
	"SUBSCRIBE": {"subscribe", "en"}, "JIUNGE": {"subscribe", "sw"},
	"UNSUBSCRIBE": {"unsubscribe", "en"}, "JITOE": {"unsubscribe", "sw"},
	"NOPOWER": {"nopower", "en"}, "GIZA": {"nopower", "sw"},
}

// Reply is the answer to one inbound SMS.
type Reply struct {
	Body     string
	Language string
}

// Answer reads one inbound text from msisdn and returns the reply, having
// made any change the keyword asks for (STOP, START).
func (r *Responder) Answer(ctx context.Context, msisdn, text string) (Reply, error) {
	fields := strings.Fields(strings.ToUpper(strings.TrimSpace(text)))
	lang, err := customer.LanguageOf(ctx, r.DB.Read(), msisdn)
	if err != nil {
		return Reply{}, err
	}
	if len(fields) == 0 {
		return Reply{Body: r.help(lang), Language: lang}, nil
	}
	cmd, ok := keywords[fields[0]]
	if ok && r.Internet == nil && (cmd.name == "usage" || cmd.name == "voucher") {
		ok = false
	}
	if ok && r.Outages == nil && outageCommands[cmd.name] {
		ok = false
	}
	if !ok {
		if rep, ok, err := r.onRestoreCheck(ctx, msisdn, text); err != nil || ok {
			return rep, err
		}
		// A survey's digit (and its words why) before the ticket and
		// "we did not understand".
		if a, ok, err := r.onSurvey(ctx, msisdn, text); err != nil || ok {
			return Reply{Body: a.Reply, Language: a.Language}, err
		}
		if t, ok, err := r.onTicket(ctx, msisdn, text); err != nil || ok {
			return Reply{Body: r.text(t.Language, "added", t.Ref), Language: t.Language}, err
		}
		return Reply{Body: r.text(lang, "unknown", fields[0]) + " " + r.help(lang), Language: lang}, nil
	}
	if cmd.lang == "sw" {
		lang = "sw"
	}
	r.Usage.Add(usage.SMS, cmd.name)
	var body string
	switch cmd.name {
	case "token":
		body, err = r.tokens(ctx, msisdn, lang, fields[1:])
	case "bal":
		body, err = r.balance(ctx, msisdn, lang, fields[1:])
	case "usage":
		body, err = r.Internet.UsageText(ctx, msisdn, lang, fields[1:])
	case "voucher":
		body, err = r.Internet.RedeemText(ctx, msisdn, lang, fields[1:])
	case "help":
		body = r.help(lang)
		if len(fields) > 1 && r.Desk != nil {
			// The desk texts the ticket's reference itself.
			body, err = "", r.openTicket(ctx, msisdn, text)
			if errors.Is(err, care.ErrTooMany) {
				body, err = r.text(lang, "too_many_reports"), nil
			}
		}
	case "meter":
		body = r.meterMessage(lang, fields[1:])
	case "status", "subscribe", "unsubscribe", "nopower":
		body, err = r.outage(ctx, cmd.name, msisdn, lang, fields[1:])
	case "stop", "start":
		err = r.DB.InTx(ctx, func(tx *store.Tx) error {
			if cmd.name == "stop" {
				_, err := tx.Exec(`INSERT INTO sms_optouts (msisdn, created_at) VALUES ($1, $2) ON CONFLICT (msisdn) DO NOTHING`, msisdn, store.Micros(tx.Now))
				return err
			}
			_, err := tx.Exec(`DELETE FROM sms_optouts WHERE msisdn = $1`, msisdn)
			return err
		})
		body = r.text(lang, cmd.name)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("keyword %s from phone: %w", cmd.name, err)
	}
	return Reply{Body: body, Language: lang}, nil
}

// Handle answers an inbound SMS by queueing the reply in the transactional
// lane.
func (r *Responder) Handle(ctx context.Context, msisdn, text string) (Reply, error) {
	rep, err := r.Answer(ctx, msisdn, text)
	if err != nil || rep.Body == "" {
		return rep, err
	}
	err = r.DB.InTx(ctx, func(tx *store.Tx) error {
		return notify.Enqueue(tx, notify.Message{Recipient: msisdn, Lane: notify.LaneTransactional, Template: "keyword", Language: rep.Language, Body: rep.Body})
	})
	return rep, err
}

// OptedOut reports whether msisdn sent STOP.
func OptedOut(ctx context.Context, db *store.DB, msisdn string) (bool, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sms_optouts WHERE msisdn = $1`, msisdn).Scan(&n)
	return n > 0, err
}

// meterFor picks the meter a keyword is about: the one named, or the
// sender's only registered meter; own reports whether it is the sender's.
// When no meter can be picked, msg says why. A named meter that is not the
// sender's counts against the sender's look-ups of other meters.
func (r *Responder) meterFor(ctx context.Context, msisdn, lang string, args []string) (drn string, own bool, msg string, err error) {
	if len(args) > 0 {
		drn := customer.NormalizeNumber(strings.Join(args, ""))
		_, own, err := customer.Lookup(ctx, r.DB, msisdn, drn)
		var ex *quota.Exceeded
		switch {
		case errors.As(err, &ex):
			return "", false, r.text(lang, "too_many"), nil
		case errors.Is(err, store.ErrNotFound):
			return "", false, r.text(lang, "no_meter", drn), nil
		case err != nil:
			return "", false, "", err
		}
		return drn, own, "", nil
	}
	ms, err := customer.MetersForPhone(ctx, r.DB.Read(), msisdn)
	if err != nil {
		return "", false, "", err
	}
	switch len(ms) {
	case 0:
		return "", false, r.text(lang, "which_meter"), nil
	case 1:
		return ms[0].DRN, true, "", nil
	}
	var drns []string
	for _, m := range ms {
		drns = append(drns, m.DRN)
	}
	return "", false, r.text(lang, "many_meters", strings.Join(drns, ", ")), nil
}

// tokens answers TOKEN: the meter's last tokens. Of another's meter only
// the tokens and their dates are told (a token works only in its meter);
// what was bought is the owner's business.
func (r *Responder) tokens(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	drn, own, msg, err := r.meterFor(ctx, msisdn, lang, args)
	if err != nil || drn == "" {
		return msg, err
	}
	vs, err := vend.ForMeter(ctx, r.DB.Read(), drn, 3)
	if err != nil {
		return "", err
	}
	if len(vs) == 0 {
		return r.text(lang, "no_tokens", drn), nil
	}
	var b strings.Builder
	b.WriteString(r.text(lang, "tokens_head", drn))
	for _, v := range vs {
		for _, t := range v.Tokens {
			what := ""
			switch {
			case t.Kind != vend.KindCredit:
				what = " " + r.text(lang, "key")
			case own:
				what = " " + v.Quote.Units + "kWh"
			}
			fmt.Fprintf(&b, "\n%s %s%s", v.CreatedAt.In(tariff.Zone).Format("02/01"), t.Grouped(), what)
		}
	}
	return b.String(), nil
}

// balance answers BAL: the last purchase, this month's energy and the
// debt, to the meter's own phones only.
func (r *Responder) balance(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	drn, own, msg, err := r.meterFor(ctx, msisdn, lang, args)
	if err != nil || drn == "" {
		return msg, err
	}
	if !own {
		return r.text(lang, "not_yours", drn), nil
	}
	m, err := customer.GetMeter(ctx, r.DB.Read(), drn)
	if err != nil {
		return "", err
	}
	vs, err := vend.ForMeter(ctx, r.DB.Read(), drn, 1)
	if err != nil {
		return "", err
	}
	month := fmt.Sprintf("%d.%02d", m.MonthWh/1000, m.MonthWh%1000/10)
	last := r.text(lang, "no_tokens", drn)
	if len(vs) > 0 {
		v := vs[0]
		last = r.text(lang, "last", v.CreatedAt.In(tariff.Zone).Format("02/01 15:04"), v.Amount.Format("KES"), v.Quote.Units)
	}
	return r.text(lang, "balance", drn, last, month, m.Debt.Format("KES")), nil
}

// meterMessage answers METER (MITA) <what the meter shows>: what the
// message means and what to do, or the messages it knows.
func (r *Responder) meterMessage(lang string, args []string) string {
	if m, ok := care.FindMeterMessage(strings.Join(args, " ")); ok {
		name, say := m.In(lang)
		return name + ": " + say
	}
	var known []string
	for _, m := range care.MeterMessages() {
		known = append(known, m.Shows[0])
	}
	return r.text(lang, "meter_what", strings.Join(known, ", "))
}

func (r *Responder) help(lang string) string {
	return r.text(lang, "help", r.USSDCode)
}

var texts = map[string][2]string{
	"unknown":          {"We did not understand %q.", "Hatukuelewa %q."},
	"too_many_reports": {"You have made many reports today; we will answer them by SMS.", "Umeripoti mara nyingi leo; tutazijibu kwa SMS."},
	"added":            {"Added to your report %s. We will answer by SMS.", "Imeongezwa kwenye ripoti yako %s. Tutakujibu kwa SMS."},
	"help":             {"Send TOKEN for your last tokens, TOKEN <meter> for another meter, BAL for your last purchase, STOP to stop notices. Or dial %s.", "Tuma TOKENI kupata tokeni zako za mwisho, TOKENI <mita> kwa mita nyingine, SALIO kwa ununuzi wa mwisho, SITISHA kusimamisha matangazo. Au piga %s."},
	"stop":             {"You will no longer get notices and offers. Tokens still come. Send START to undo.", "Hutapokea matangazo tena. Tokeni bado zitakuja. Tuma ANZA kurudisha."},
	"start":            {"Notices are on again. Send STOP to stop them.", "Matangazo yamewashwa tena. Tuma SITISHA kuyasimamisha."},
	"no_meter":         {"Meter %s is not one of ours. Check the number.", "Mita %s haipo kwetu. Hakikisha nambari."},
	"too_many":         {"You have looked up many meters. Please try again in an hour.", "Umeangalia mita nyingi. Tafadhali jaribu tena baada ya saa moja."},
	"not_yours":        {"The balance of meter %s is sent only to its registered phones.", "Salio la mita %s hutumwa kwa simu zake zilizosajiliwa tu."},
	"which_meter":      {"No meter is registered to this phone. Send TOKEN <meter number>.", "Hakuna mita iliyosajiliwa kwa simu hii. Tuma TOKENI <nambari ya mita>."},
	"many_meters":      {"Which meter? Send TOKEN <meter>: %s", "Mita gani? Tuma TOKENI <mita>: %s"},
	"no_tokens":        {"Meter %s has no tokens yet.", "Mita %s haina tokeni bado."},
	"meter_what":       {"Send METER and what your meter shows, e.g. METER REJECT. We know: %s.", "Tuma MITA na ujumbe wa mita yako, mfano MITA REJECT. Tunajua: %s."},
	"tokens_head":      {"Tokens for meter %s:", "Tokeni za mita %s:"},
	"key":              {"(key change, enter first)", "(badilisha ufunguo, ingiza kwanza)"},
	"last":             {"Last: %s %s, %s kWh.", "Mwisho: %s %s, kWh %s."},
	"balance":          {"Meter %s. %s This month: %s kWh. Debt: %s.", "Mita %s. %s Mwezi huu: kWh %s. Deni: %s."},
}

func (r *Responder) text(lang, key string, args ...any) string {
	t := texts[key]
	s := t[0]
	if lang == "sw" {
		s = t[1]
	}
	return fmt.Sprintf(s, args...)
}
