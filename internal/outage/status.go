package outage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/store"
)

// Status is what the public status page, STATUS by SMS and the USSD
// outage screen tell: outages in force and planned, by area, and the
// health of token delivery itself.
type Status struct {
	At    time.Time
	Areas []AreaStatus
	// TokenSMS is how long token messages took lately.
	TokenSMS TokenHealth
}

// AreaStatus is one area's outages.
type AreaStatus struct {
	Area    string
	Now     []Outage // in force
	Planned []Outage // planned work to come
}

// TokenHealth is token delivery over the last half hour.
type TokenHealth struct {
	Sent     int           // token messages sent
	P50, P95 time.Duration // queued to sent
	// Incident is true while a delivery incident is open (a lane missing
	// its objective, a route without receipts).
	Incident bool
}

// healthWindow is how far back token delivery is measured.
const healthWindow = 30 * time.Minute

// plannedAhead is how far ahead planned work is shown.
const plannedAhead = 14 * 24 * time.Hour

// slowTokens is the token SMS latency (95th percentile) above which the
// status says tokens are delayed even with no incident open.
const slowTokens = time.Minute

// Slow reports whether token messages are late now.
func (h TokenHealth) Slow() bool { return h.Incident || h.P95 > slowTokens }

// Current reads the status at now.
func Current(ctx context.Context, db *store.DB, now time.Time) (Status, error) {
	st := Status{At: now}
	list, err := query(ctx, db, `WHERE state = 'confirmed' AND restored_at IS NULL AND starts_at <= $1 ORDER BY area, starts_at, id`, store.Micros(now.Add(plannedAhead)))
	if err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	byArea := map[string]*AreaStatus{}
	for _, o := range list {
		a := byArea[o.Area]
		if a == nil {
			a = &AreaStatus{Area: o.Area}
			byArea[o.Area] = a
		}
		if o.StartsAt.After(now) {
			a.Planned = append(a.Planned, o)
		} else {
			a.Now = append(a.Now, o)
		}
	}
	for _, a := range byArea {
		st.Areas = append(st.Areas, *a)
	}
	slices.SortFunc(st.Areas, func(a, b AreaStatus) int { return strings.Compare(a.Area, b.Area) })
	lat, err := notify.Latencies(ctx, db, now.Add(-healthWindow))
	if err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	for _, l := range lat {
		if l.Lane != notify.LaneToken {
			continue
		}
		st.TokenSMS.Sent += l.Sent
		st.TokenSMS.P50 = max(st.TokenSMS.P50, l.SentP50)
		st.TokenSMS.P95 = max(st.TokenSMS.P95, l.SentP95)
	}
	inc, err := notify.OpenIncidents(ctx, db)
	if err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	for _, i := range inc {
		// The database's own incidents are for staff: delivery may yet
		// keep up, and customers hear of it if not.
		if i.Delivery() {
			st.TokenSMS.Incident = true
		}
	}
	return st, nil
}

// Area returns the status of one area (case as typed is forgiven), and
// whether it has any outage.
func (s Status) Area(name string) (AreaStatus, bool) {
	for _, a := range s.Areas {
		if strings.EqualFold(a.Area, strings.TrimSpace(name)) {
			return a, true
		}
	}
	return AreaStatus{Area: name}, false
}

// textLimit is the longest STATUS answer: a USSD screen's 182 characters,
// which also keeps the SMS short.
const textLimit = 182

// Text is the status in lang for a phone: the outages of area ("" for
// all areas) and token delivery, within one USSD screen.
func (s Status) Text(lang, area string) string {
	var parts []string
	areas := s.Areas
	if area != "" {
		a, _ := s.Area(area)
		areas = []AreaStatus{a}
	}
	var off, planned []string
	for _, a := range areas {
		for _, o := range a.Now {
			w := a.Area + placeSuffix(lang, o)
			if !o.ETR.IsZero() {
				w += " " + text(lang, "back_by", o.ETR.In(notify.Zone).Format("02/01 15:04"))
			}
			off = append(off, w)
		}
		for _, o := range a.Planned {
			planned = append(planned, a.Area+placeSuffix(lang, o)+" "+o.StartsAt.In(notify.Zone).Format("02/01 15:04"))
		}
	}
	if len(off) == 0 && len(planned) == 0 {
		in := ""
		if area != "" {
			in = text(lang, "status_in", area)
		}
		parts = append(parts, text(lang, "status_none", in))
	}
	if len(off) > 0 {
		parts = append(parts, text(lang, "status_out", strings.Join(off, "; "))+".")
	}
	if len(planned) > 0 {
		parts = append(parts, strings.TrimSpace(text(lang, "status_planned", strings.Join(planned, "; "), ""))+".")
	}
	health := s.TokenSMS.text(lang)
	body := strings.Join(parts, " ")
	if room := textLimit - len(health) - 1; len(body) > room {
		body = store.Truncate(body, room-3) + "..."

	}
	return body + " " + health
}

func (h TokenHealth) text(lang string) string {
	switch {
	case h.Sent == 0 && !h.Incident:
		return text(lang, "tokens_quiet")
	case h.Slow():
		return text(lang, "tokens_slow", roundSeconds(h.P95))
	}
	return text(lang, "tokens_ok", roundSeconds(h.P95))
}

// roundSeconds shows a latency as customers read it: "4s", "2m".
func roundSeconds(d time.Duration) string {
	if d < time.Second {
		return "1s"
	}
	if d < 2*time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()+0.5))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()+0.5))
}
