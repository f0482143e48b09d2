package outage

import (
	"context"
	"errors"
	"strings"

	"github.com/mteja/mteja/internal/store"
)

// Phone answers a customer's outage requests by SMS and USSD: STATUS,
// SUBSCRIBE, UNSUBSCRIBE, a "no power" report, and the digit answering
// a restoration notice.
type Phone struct {
	DB       *store.DB
	Grouping Grouping
	Check    *Check // the restoration check; nil takes no digit
}

// StatusText answers STATUS [area]: the area named, else the area of the
// phone's meters, else every area.
func (p *Phone) StatusText(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	area := strings.Join(args, " ")
	if area != "" {
		// As the meters spell it: customers type "KIBERA".
		if a, ok, err := FindArea(ctx, p.DB, area); err != nil {
			return "", err
		} else if ok {
			area = a
		}
	} else {
		as, err := store.Strings(ctx, p.DB.Read(), `SELECT DISTINCT m.area FROM meters m JOIN customer_phones c ON c.customer_id = m.customer_id
			WHERE c.msisdn = $1 AND m.area <> '' ORDER BY m.area LIMIT 2`, msisdn)
		if err != nil {
			return "", err
		}
		if len(as) == 1 {
			area = as[0]
		}
	}
	st, err := Current(ctx, p.DB, p.DB.Now())
	if err != nil {
		return "", err
	}
	return st.Text(lang, area), nil
}

// SubscribeText answers SUBSCRIBE <area> (JIUNGE).
func (p *Phone) SubscribeText(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	name := strings.Join(args, " ")
	if name == "" {
		return text(lang, "which_area"), nil
	}
	area, ok, err := FindArea(ctx, p.DB, name)
	if err != nil {
		return "", err
	}
	if !ok {
		return text(lang, "no_area", store.Truncate(name, 40)) + " " + text(lang, "which_area"), nil
	}
	if err := Subscribe(ctx, p.DB, msisdn, area, lang); err != nil {
		return "", err
	}
	return text(lang, "subscribed", area), nil
}

// UnsubscribeText answers UNSUBSCRIBE (JITOE).
func (p *Phone) UnsubscribeText(ctx context.Context, msisdn, lang string) (string, error) {
	if err := Unsubscribe(ctx, p.DB, msisdn); err != nil {
		return "", err
	}
	return text(lang, "unsubscribed"), nil
}

// NoPowerText files a "no power" report on meter drn and answers it: the
// known outage and its restoration time, or thanks.
func (p *Phone) NoPowerText(ctx context.Context, msisdn, lang, drn, channel string) (string, error) {
	r, err := ReportNoPower(ctx, p.DB, p.Grouping, msisdn, drn, channel)
	if errors.Is(err, ErrNoMeter) {
		return "", err
	}
	if err != nil {
		return "", err
	}
	if o := r.Known; o.ID != "" {
		etr := ""
		if !o.ETR.IsZero() {
			etr = text(lang, "etr_line", (&Sweeper{}).clock(o.ETR))
		}
		return strings.TrimSpace(text(lang, "reported_known", o.Area+placeSuffix(lang, o), etr)), nil
	}
	return text(lang, "reported", drn), nil
}

// MeterStatusText is the USSD outage screen of meter drn: the outages that
// reach it (on its area, feeder or transformer) and token delivery.
func (p *Phone) MeterStatusText(ctx context.Context, drn, lang string) (string, error) {
	var area, feeder, transformer string
	if err := p.DB.Read().QueryRowContext(ctx, `SELECT area, feeder, transformer FROM meters WHERE drn = $1`, drn).Scan(&area, &feeder, &transformer); err != nil {
		return "", store.NotFound(err, "meter "+drn)
	}
	st, err := Current(ctx, p.DB, p.DB.Now())
	if err != nil {
		return "", err
	}
	a, _ := st.Area(area)
	reaches := func(o Outage) bool {
		return o.Level == LevelArea || o.Level == LevelFeeder && o.Place == feeder || o.Level == LevelTransformer && o.Place == transformer
	}
	mine := AreaStatus{Area: area}
	for _, o := range a.Now {
		if reaches(o) {
			mine.Now = append(mine.Now, o)
		}
	}
	for _, o := range a.Planned {
		if reaches(o) {
			mine.Planned = append(mine.Planned, o)
		}
	}
	st.Areas = []AreaStatus{mine}
	return st.Text(lang, area), nil
}
