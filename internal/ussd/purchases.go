package ussd

import "fmt"

// purchaseList shows a meter's recent purchases: when, how much, how many
// units, and the receipt code to match an M-Pesa message.
type purchaseList struct {
	m         meterRef
	purchases []Purchase
	start     int
}

func (n purchaseList) list(s *session) list {
	items := make([]string, len(n.purchases))
	for i, p := range n.purchases {
		items[i] = s.day(p.At) + " " + s.amount(p.Amount) + " " + p.Units + " kWh " + p.Receipt
		if p.Compensation > 0 {
			items[i] += " (" + fmt.Sprintf(s.t.Compensation, s.amount(p.Compensation)) + ")"
		}
	}
	return list{head: fmt.Sprintf(s.t.Meter, n.m.DRN) + ":", items: items,
		foot: []string{s.t.BackHome}, hints: []string{s.t.InvalidChoice}}
}

func (n purchaseList) render(s *session, hint string) screen {
	if len(n.purchases) == 0 {
		return con(withHint(hint, fmt.Sprintf(s.t.NoPurchases, n.m.DRN), s.t.BackHome)...)
	}
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n purchaseList) next(s *session, in string, _ bool) (step, error) {
	if in == "98" && len(n.purchases) > 0 {
		if _, nx := n.list(s).layout(s, n.start, ""); nx < len(n.purchases) {
			n.start = nx
			return goTo(n), nil
		}
	}
	return stay(s.t.InvalidChoice), nil
}
