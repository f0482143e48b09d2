package ussd

// home is the first screen of every session.
type home struct{}

func (home) render(s *session, hint string) screen {
	t := s.t
	first := s.h.opts.Brand
	if hint != "" {
		// The hint takes the brand's line: the Swahili menu has no room for both.
		first = hint
	}
	lines := []string{first,
		"1 " + t.Buy,
		"2 " + t.Tokens,
		"3 " + t.Paid,
		"4 " + t.Purchases,
		"5 " + t.Fault,
		"6 " + t.Outage,
		"7 " + t.Language}
	if s.h.opts.Internet != nil {
		lines = append(lines, "8 "+t.Internet)
	}
	return con(lines...)
}

func (home) next(s *session, in string, _ bool) (step, error) {
	switch in {
	case "1":
		return s.meterStep(forBuy, "")
	case "2":
		return s.meterStep(forTokens, "")
	case "3":
		return goTo(receiptEntry{}), nil
	case "4":
		return s.meterStep(forPurchases, "")
	case "5":
		return goTo(faultMenu{}), nil
	case "6":
		return s.meterStep(forOutage, "")
	case "7":
		return goTo(languageMenu{}), nil
	case "8":
		if s.h.opts.Internet != nil {
			return goTo(internetMenu{}), nil
		}
	case agentEntry:
		return s.agentStep()
	}
	return stay(s.t.InvalidChoice), nil
}
