package charter

import "time"

// Pause is a time the clock stood still: the case waited on the customer.
// To is zero while it still waits.
type Pause struct{ From, To time.Time }

// Elapsed is the time a case's clock shows at now: the calendar's time
// from start to stop (or to now, while the case is open), less the pauses.
// Pauses may overlap one another and the case's ends; each moment counts
// once.
func (c *Charter) Elapsed(s Standard, start, stop, now time.Time, pauses []Pause) time.Duration {
	end := stop
	if end.IsZero() || end.After(now) {
		end = now
	}
	total := c.working(s.Calendar, start, end)
	// Merge the pauses, clipped to the case, so that none counts twice.
	var merged []Pause
	for _, p := range sortPauses(pauses) {
		if p.To.IsZero() || p.To.After(end) {
			p.To = end
		}
		if p.From.Before(start) {
			p.From = start
		}
		if !p.To.After(p.From) {
			continue
		}
		if n := len(merged); n > 0 && !p.From.After(merged[n-1].To) {
			if p.To.After(merged[n-1].To) {
				merged[n-1].To = p.To
			}
			continue
		}
		merged = append(merged, p)
	}
	for _, p := range merged {
		total -= c.working(s.Calendar, p.From, p.To)
	}
	return total
}

func sortPauses(ps []Pause) []Pause {
	out := append([]Pause(nil), ps...)
	for i := 1; i < len(out); i++ { // a case has a handful of pauses
		for j := i; j > 0 && out[j].From.Before(out[j-1].From); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Case states, as the clock judges them.
const (
	Running   = "running"   // open, within the escalation point
	Escalated = "escalated" // open, past the escalation point, before the target
	Met       = "met"       // stopped within the target
	Breached  = "breached"  // past the target, stopped or not
)

// Judge is a case's state from its elapsed time and whether it stopped.
func Judge(s Standard, elapsed time.Duration, stopped bool) string {
	switch {
	case elapsed > s.Target:
		return Breached
	case stopped:
		return Met
	case elapsed > s.Escalate:
		return Escalated
	}
	return Running
}
