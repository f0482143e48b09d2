package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/vend"
)

type meterCard struct {
	customer.Meter
	Last    *vend.Vend // the newest purchase, nil before the first
	Outages []care.Outage
	Owed    money.Amount // charter compensation coming with the next token
}

// meters is the customer's home: each meter with its last token and any
// outage in its area.
func (h *Handler) meters(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	ms, err := h.myMeters(ctx, v)
	if err != nil {
		return err
	}
	if len(ms) == 0 && h.ISP != nil {
		// A phone with internet accounts and no meter is at home there.
		subs, err := h.ISP.ByPhone(ctx, v.session.MSISDN)
		if err != nil {
			return err
		}
		if len(subs) > 0 {
			return redirect(w, v, "/internet")
		}
	}
	outages := map[string][]care.Outage{}
	cards := make([]meterCard, 0, len(ms))
	for _, m := range ms {
		c := meterCard{Meter: m}
		if c.Owed, err = charter.Owed(ctx, h.DB.Read(), m.DRN); err != nil {
			return err
		}
		vs, err := vend.ForMeter(ctx, h.DB.Read(), m.DRN, 1)
		if err != nil {
			return err
		}
		if len(vs) > 0 {
			c.Last = &vs[0]
		}
		if m.Area != "" {
			os, seen := outages[m.Area]
			if !seen {
				if os, err = care.CurrentOutages(ctx, h.DB, m.Area, h.DB.Now()); err != nil {
					return err
				}
				outages[m.Area] = os
			}
			c.Outages = os
		}
		cards = append(cards, c)
	}
	// A question asked by SMS can be answered here too.
	_, asked, err := care.WaitingScore(ctx, h.DB.Read(), v.session.MSISDN, h.DB.Now())
	if err != nil {
		return err
	}
	p := v.page("meters.title", struct {
		Meters   []meterCard
		Feedback bool
	}{cards, asked})
	p.Nav = "meters"
	return h.render(w, v, http.StatusOK, "meters", p)
}
