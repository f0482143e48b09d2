package keyword

import (
	"context"
	"strings"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
)

// openTicket opens a ticket for HELP (MSAADA) <text>, about the sender's
// only meter when they have one. Its category is guessed from a few words
// customers use, so that "HELP no token" gets the self-help at once; care
// staff correct the rest.
func (r *Responder) openTicket(ctx context.Context, msisdn, text string) error {
	note := strings.TrimSpace(text)
	if i := strings.IndexFunc(note, func(c rune) bool { return c == ' ' || c == '\t' || c == '\n' }); i > 0 {
		note = strings.TrimSpace(note[i:])
	}
	drn := ""
	ms, err := customer.MetersForPhone(ctx, r.DB.Read(), msisdn)
	if err != nil {
		return err
	}
	if len(ms) == 1 {
		drn = ms[0].DRN
	}
	_, _, err = r.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: msisdn, MeterDRN: drn, Category: guessCategory(note), Note: note})
	return err
}

// categoryWords are words that name a category in either language.
var categoryWords = map[string]string{
	"TOKEN": care.CategoryNoToken, "TOKENS": care.CategoryNoToken, "TOKENI": care.CategoryNoToken,
	"REJECT": care.CategoryTokenRejected, "REJECTED": care.CategoryTokenRejected, "IMEKATAA": care.CategoryTokenRejected,
	"POWER": care.CategoryOutage, "UMEME": care.CategoryOutage, "STIMA": care.CategoryOutage, "BLACKOUT": care.CategoryOutage,
	"BILL": care.CategoryBilling, "BILI": care.CategoryBilling, "DEBT": care.CategoryBilling, "DENI": care.CategoryBilling,
	"UNITS": care.CategoryWrongUnits,
}

func guessCategory(note string) string {
	// A rejected token names the token too: rejection wins.
	best := care.CategoryOther
	for _, w := range strings.Fields(strings.ToUpper(note)) {
		c, ok := categoryWords[strings.Trim(w, ".,!?")]
		switch {
		case !ok:
		case c == care.CategoryTokenRejected:
			return c
		case best == care.CategoryOther:
			best = c
		}
	}
	return best
}

// onTicket puts the words of a sender with an active ticket on it.
func (r *Responder) onTicket(ctx context.Context, msisdn, text string) (care.Ticket, bool, error) {
	if r.Desk == nil {
		return care.Ticket{}, false, nil
	}
	return r.Desk.CustomerMessage(ctx, msisdn, text)
}

// onSurvey takes the answer to a survey waiting on the sender.
func (r *Responder) onSurvey(ctx context.Context, msisdn, text string) (care.SurveyAnswer, bool, error) {
	if r.Desk == nil {
		return care.SurveyAnswer{}, false, nil
	}
	return r.Desk.SurveyReply(ctx, msisdn, text)
}
