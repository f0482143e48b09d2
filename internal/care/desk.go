package care

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Desk is the help desk: it opens tickets from every channel, answers the
// customer on their phone in their language, and tries to settle a ticket
// itself before a person sees it.
type Desk struct {
	DB *store.DB
	// Categories is the configured list; empty means DefaultCategories.
	Categories []Category
	// SelfHelp settles what it can of a new ticket; nil settles nothing.
	SelfHelp SelfHelp
	// Wake, when set, is called after messages are queued.
	Wake func()
	// Background runs self-help after Open returns, so that a USSD
	// session or a web request is not kept waiting on a vend; the ticket
	// Open returns is then as opened. Off, Open returns it settled.
	Background bool
	// MaxPerDay bounds the tickets one phone opens itself in 24 hours
	// (each costs an SMS answer); default 10. Staff are not bounded.
	MaxPerDay int
	// Survey is how customers are asked for feedback by SMS.
	Survey SurveyPolicy
}

// SelfHelp settles a ticket without a person where it can: a "no token"
// ticket gets the token of the customer's payment.
type SelfHelp interface {
	// Resolve returns what to tell the customer (in t.Language; "" for
	// nothing) and whether that settles the ticket.
	Resolve(ctx context.Context, t Ticket) (reply string, resolved bool, err error)
}

// ErrNoPhone is returned for a reply to a ticket with no phone to text.
var ErrNoPhone = errors.New("the ticket has no phone to reply to")

// ErrTooMany is returned when a phone opened MaxPerDay tickets in the
// last 24 hours.
var ErrTooMany = errors.New("too many reports from this phone today")

// ErrState is returned for a change a ticket's state does not allow.
var ErrState = errors.New("not allowed in the ticket's state")

// selfActor is the actor of what Mteja does on its own.
const selfActor = "mteja"

// CategoryList returns the categories in use.
func (d *Desk) CategoryList() []Category {
	if d == nil || len(d.Categories) == 0 {
		return DefaultCategories
	}
	return d.Categories
}

func (d *Desk) category(name string) (Category, bool) {
	for _, c := range d.CategoryList() {
		if c.Name == name {
			return c, true
		}
	}
	return Category{}, false
}

func (d *Desk) categoryNames() []string {
	var out []string
	for _, c := range d.CategoryList() {
		out = append(out, c.Name)
	}
	return out
}

// CategoryLabel is a category's name in lang, or the bare name for one no
// longer configured.
func (d *Desk) CategoryLabel(name, lang string) string {
	if c, ok := d.category(name); ok {
		return c.Label(lang)
	}
	return name
}

// Open opens a ticket (or returns the same phone's repeat of one within 10
// minutes, with repeat set), texts the customer its reference, and then
// tries self-help on it. A staff member or agent opening it (r.By) is
// audited.
func (d *Desk) Open(ctx context.Context, r Request) (t Ticket, repeat bool, err error) {
	if !validChannel(r.Channel) {
		return Ticket{}, false, fmt.Errorf("open ticket: channel %q: want one of %s", r.Channel, strings.Join(Channels, ", "))
	}
	err = d.DB.InTx(ctx, func(tx *store.Tx) error {
		t, repeat, err = d.openTicket(ctx, tx, r, d.maxPerDay())
		if err != nil || repeat {
			return err
		}
		if r.By != "" {
			if err := audit(tx, r.By, "ticket.open", t.ID, fmt.Sprintf("%s %s by %s", t.Ref, t.Category, t.Channel)); err != nil {
				return err
			}
		}
		if t.MSISDN == "" {
			return nil
		}
		return d.send(tx, t, "", d.text(t.Language, "ack", t.Ref, d.CategoryLabel(t.Category, t.Language)), false)
	})
	if err != nil {
		return Ticket{}, false, fmt.Errorf("open ticket: %w", err)
	}
	switch {
	case repeat:
	case d.Background:
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			d.selfHelp(ctx, t)
			d.wake()
		}()
	default:
		t = d.selfHelp(ctx, t)
	}
	d.wake()
	return t, repeat, nil
}

func (d *Desk) maxPerDay() int {
	if d.MaxPerDay > 0 {
		return d.MaxPerDay
	}
	return 10
}

func validChannel(c string) bool {
	if c == ChannelUnknown {
		return true
	}
	for _, ch := range Channels {
		if c == ch {
			return true
		}
	}
	return false
}

func (d *Desk) wake() {
	if d.Wake != nil {
		d.Wake()
	}
}

// send queues an SMS to the ticket's phone in tx and puts it on the
// timeline; a staff reply (by set, response true) counts as the first
// response and takes a new ticket to open.
func (d *Desk) send(tx *store.Tx, t Ticket, by, body string, response bool) error {
	if t.MSISDN == "" {
		return ErrNoPhone
	}
	m := notify.Message{ID: uuid.Must(uuid.NewV7()).String(), Recipient: t.MSISDN, Lane: notify.LaneTransactional, Template: "ticket", Language: t.Language, Body: body, Ref: t.ID}
	if err := notify.Enqueue(tx, m); err != nil {
		return err
	}
	if err := addEvent(tx, t.ID, EventOut, by, body, m.ID); err != nil {
		return err
	}
	now := store.Micros(tx.Now)
	if !response {
		_, err := tx.Exec(`UPDATE tickets SET updated_at = $2 WHERE id = $1`, t.ID, now)
		return err
	}
	_, err := tx.Exec(`UPDATE tickets SET updated_at = $2, first_response_at = COALESCE(first_response_at, $2),
		state = CASE state WHEN 'new' THEN 'open' ELSE state END WHERE id = $1`, t.ID, now)
	return err
}

// selfHelp runs the self-help for a new ticket: the meter message advice
// for a rejected token, the payment's token for a missing one. What it
// cannot settle stays for a person, with a note saying what was tried.
func (d *Desk) selfHelp(ctx context.Context, t Ticket) Ticket {
	var reply string
	var resolved bool
	var err error
	switch {
	case t.Category == CategoryTokenRejected:
		reply = d.text(t.Language, "meter_hint")
		if m, ok := meterMessageIn(t.Note); ok {
			name, say := m.In(t.Language)
			reply = name + ": " + say
		}
	case t.Category == CategoryNoToken && d.SelfHelp != nil:
		reply, resolved, err = d.SelfHelp.Resolve(ctx, t)
	default:
		return t
	}
	werr := d.DB.InTx(ctx, func(tx *store.Tx) error {
		if err != nil {
			return addEvent(tx, t.ID, EventNote, selfActor, "Self-help could not settle it: "+err.Error(), "")
		}
		if reply != "" && t.MSISDN != "" {
			if err := d.send(tx, t, selfActor, reply, false); err != nil {
				return err
			}
		}
		if resolved {
			return d.setState(tx, &t, selfActor, StateResolved, false)
		}
		return nil
	})
	if werr == nil {
		if nt, err := GetTicket(ctx, d.DB.Read(), t.ID); err == nil {
			t = nt
		}
	}
	return t
}

// meterMessageIn finds the meter message a customer's note names: the
// whole note, or any word of it ("it says REJECT").
func meterMessageIn(note string) (MeterMessage, bool) {
	if m, ok := FindMeterMessage(note); ok {
		return m, true
	}
	for _, w := range strings.Fields(note) {
		if m, ok := FindMeterMessage(w); ok {
			return m, true
		}
	}
	return MeterMessage{}, false
}
