package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// Purchase is one payment as the courtesy look-up shows it: its state, the
// vend and tokens it made, and every SMS about it with its delivery.
type Purchase struct {
	Payment  payment.Payment
	Vend     *vend.Vend // nil until vended
	Messages []notify.Message
}

// Answer is "where is my token?" for one phone, on one screen.
type Answer struct {
	MSISDN    string
	Meters    []customer.Meter
	Purchases []Purchase
	Tickets   []care.Ticket    // the phone's tickets not yet closed
	Outages   []care.Outage    // outages now in its meters' areas
	Others    []notify.Message // SMS to the phone about no purchase shown
}

// lookupLimit bounds each list: a counter answers about the latest
// purchases, not years of them.
const lookupLimit = 5

// Lookup gathers what a hub attendant needs to answer "where is my
// token?" for msisdn: the latest payments of the phone's meters or paid
// from it, each with its vend state, tokens and token SMS; open tickets;
// outages in its meters' areas. The caller has the customer's consent for
// msisdn (an assisted session): Lookup itself checks nothing.
func Lookup(ctx context.Context, db *store.DB, msisdn string, now time.Time) (Answer, error) {
	a := Answer{MSISDN: msisdn}
	r := db.Read()
	var err error
	if a.Meters, err = customer.MetersForPhone(ctx, r, msisdn); err != nil {
		return a, fmt.Errorf("meters of the phone: %w", err)
	}
	drns := make([]string, len(a.Meters))
	for i, m := range a.Meters {
		drns[i] = m.DRN
	}
	ps, err := payment.ForAccounts(ctx, r, drns, []string{msisdn}, lookupLimit)
	if err != nil {
		return a, err
	}
	var refs []string
	for _, p := range ps {
		pu := Purchase{Payment: p}
		v, err := vend.ByPayment(ctx, r, p.ID)
		switch {
		case err == nil:
			pu.Vend = &v
			refs = append(refs, v.ID)
		case !errors.Is(err, store.ErrNotFound):
			return a, err
		}
		refs = append(refs, p.ID)
		a.Purchases = append(a.Purchases, pu)
	}
	msgs, err := notify.ForAccount(ctx, db, []string{msisdn}, refs, 4*lookupLimit)
	if err != nil {
		return a, err
	}
	for _, m := range msgs {
		if m.Lane == notify.LaneOTP {
			continue // login and consent codes are not the counter's business
		}
		placed := false
		for i := range a.Purchases {
			pu := &a.Purchases[i]
			if m.Ref == pu.Payment.ID || (pu.Vend != nil && m.Ref == pu.Vend.ID) {
				pu.Messages = append(pu.Messages, m)
				placed = true
			}
		}
		if !placed && m.Recipient == msisdn {
			a.Others = append(a.Others, m)
		}
	}
	ts, err := care.TicketsFor(ctx, r, []string{msisdn}, drns, lookupLimit)
	if err != nil {
		return a, err
	}
	for _, t := range ts {
		if care.Active(t.State) {
			a.Tickets = append(a.Tickets, t)
		}
	}
	var areas []string
	for _, m := range a.Meters {
		if m.Area != "" && !slices.Contains(areas, m.Area) {
			areas = append(areas, m.Area)
		}
	}
	for _, area := range areas {
		os, err := care.CurrentOutages(ctx, db, area, now)
		if err != nil {
			return a, err
		}
		a.Outages = append(a.Outages, os...)
	}
	return a, nil
}
