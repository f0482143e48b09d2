package portal

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/outage"
)

// status is the public status page: outages in force and planned, by
// area, and whether token messages are going out as they should. No
// login: a customer in the dark on a 2G phone should find out in one
// small page.
func (h *Handler) status(w http.ResponseWriter, v *visit) error {
	st, err := h.statusNow(v.r.Context())
	if err != nil {
		return err
	}
	p := v.page("status.title", st)
	p.Nav = "status"
	return h.render(w, v, http.StatusOK, "status", p)
}

// statusFresh is how long one reading of the status serves every
// visitor: a public page that anyone may reload must not cost the
// database a latency scan each time, and a few seconds old is current
// enough for an outage.
const statusFresh = 10 * time.Second

// statusCache holds the last reading of the status.
type statusCache struct {
	mu sync.Mutex
	at time.Time
	st outage.Status
}

func (h *Handler) statusNow(ctx context.Context) (outage.Status, error) {
	c := &h.statusCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); c.at.IsZero() || now.Sub(c.at) > statusFresh || now.Before(c.at) {
		st, err := outage.Current(ctx, h.DB, h.DB.Now())
		if err != nil {
			return outage.Status{}, err
		}
		c.st, c.at = st, now
	}
	return c.st, nil
}

// Phrases of the status page, joined to the others.
func init() {
	for k, v := range map[string]string{
		"footer.status":      "Service status: outages and token delivery",
		"status.title":       "Service status",
		"status.at":          "As of %s.",
		"status.tokens":      "Token delivery",
		"status.tokens.ok":   "Normal: token SMS are sent in about %s.",
		"status.tokens.slow": "Delayed: token SMS take about %s. We are working on it; your token is also on the USSD menu and in My meters.",
		"status.tokens.idle": "Normal.",
		"status.incident":    "An incident is open with SMS delivery.",
		"status.outages":     "Power outages",
		"status.none":        "No known power outage.",
		"status.now":         "Off since %s",
		"status.etr":         "expected back by %s",
		"status.planned":     "Planned work from %s",
		"status.until":       "to %s",
		"status.feeder":      "feeder %s",
		"status.transformer": "transformer %s",
		"status.whole":       "the whole area",
		"status.sms":         "By SMS: send STATUS or STATUS and an area; SUBSCRIBE and an area for its notices.",
	} {
		english[k] = v
	}
	for k, v := range map[string]string{
		"footer.status":      "Hali ya huduma: kukatika kwa umeme na tokeni",
		"status.title":       "Hali ya huduma",
		"status.at":          "Kufikia %s.",
		"status.tokens":      "Utumaji wa tokeni",
		"status.tokens.ok":   "Kawaida: SMS za tokeni hutumwa kwa takriban %s.",
		"status.tokens.slow": "Zinachelewa: SMS za tokeni zinachukua takriban %s. Tunashughulikia; tokeni yako iko pia kwenye menyu ya USSD na Mita zangu.",
		"status.tokens.idle": "Kawaida.",
		"status.incident":    "Kuna tatizo linaloshughulikiwa katika utumaji wa SMS.",
		"status.outages":     "Kukatika kwa umeme",
		"status.none":        "Hakuna taarifa ya kukatika kwa umeme.",
		"status.now":         "Umekatika tangu %s",
		"status.etr":         "unatarajiwa kurudi kufikia %s",
		"status.planned":     "Kazi iliyopangwa kuanzia %s",
		"status.until":       "hadi %s",
		"status.feeder":      "laini %s",
		"status.transformer": "transfoma %s",
		"status.whole":       "eneo lote",
		"status.sms":         "Kwa SMS: tuma HALI au HALI na eneo; JIUNGE na eneo kupata taarifa zake.",
	} {
		swahili[k] = v
	}
}
