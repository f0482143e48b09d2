package portal

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
)

// recentPurchases is how many of an account's purchases its card lists,
// newest first, from the last month.
const recentPurchases = 5

// internetCard is one internet account of the customer's phone, as it
// stands now: usage in real time, from the routers' accounting.
type internetCard struct {
	isp.Usage
	PlanID    string // the subscription's plan: the one the renew form offers first
	Purchases []internetPurchase
}

type internetPurchase struct {
	isp.Purchase
	Plan string // its name
}

type internetData struct {
	Accounts []internetCard
	Plans    []isp.Plan // on sale
	// The buy-for-a-friend form, as typed.
	Friend     string
	FriendPlan string
}

// internet shows the internet accounts registered to the customer's phone:
// plan, state, data and time left, wallet and recent purchases, with forms
// to buy a bundle by M-Pesa (for themselves or a friend) and to redeem a
// voucher.
func (h *Handler) internet(w http.ResponseWriter, v *visit) error {
	if h.ISP == nil {
		return notFound()
	}
	d, err := h.internetData(v.r.Context(), v)
	if err != nil {
		return err
	}
	return h.renderInternet(w, v, http.StatusOK, d, "", "")
}

// renderInternet shows the internet page with an error or a notice, each
// in the visitor's words ("" for none).
func (h *Handler) renderInternet(w http.ResponseWriter, v *visit, status int, d internetData, errText, notice string) error {
	p := v.page("net.title", d)
	p.Nav, p.Err, p.Notice = "internet", errText, notice
	return h.render(w, v, status, "internet", p)
}

func (h *Handler) internetData(ctx context.Context, v *visit) (internetData, error) {
	subs, err := h.ISP.ByPhone(ctx, v.session.MSISDN)
	if err != nil {
		return internetData{}, err
	}
	plans, err := h.ISP.Plans(ctx)
	if err != nil {
		return internetData{}, err
	}
	names := map[string]string{}
	d := internetData{}
	for _, pl := range plans {
		names[pl.ID] = pl.Name
		if pl.Active && pl.Price > 0 {
			d.Plans = append(d.Plans, pl)
		}
	}
	since := h.DB.Now().Add(-31 * 24 * time.Hour)
	for _, u := range subs {
		c := internetCard{}
		if c.Usage, err = h.ISP.UsageOf(ctx, u.ID); err != nil {
			return internetData{}, err
		}
		sub, err := h.ISP.Live(ctx, u.ID)
		switch {
		case err == nil:
			c.PlanID = sub.PlanID
		case !errors.Is(err, store.ErrNotFound):
			return internetData{}, err
		}
		ps, err := h.ISP.Purchases(ctx, isp.PurchaseFilter{SubscriberID: u.ID, From: since})
		if err != nil {
			return internetData{}, err
		}
		for i := len(ps) - 1; i >= 0 && len(c.Purchases) < recentPurchases; i-- {
			c.Purchases = append(c.Purchases, internetPurchase{Purchase: ps[i], Plan: names[ps[i].PlanID]})
		}
		d.Accounts = append(d.Accounts, c)
	}
	return d, nil
}

// myAccount returns one of the internet accounts of the customer's phone
// by username; another's is "not found".
func (h *Handler) myAccount(ctx context.Context, v *visit, username string) (isp.Subscriber, error) {
	subs, err := h.ISP.ByPhone(ctx, v.session.MSISDN)
	if err != nil {
		return isp.Subscriber{}, err
	}
	username = isp.NormalizeUsername(username)
	for _, u := range subs {
		if u.Username == username {
			return u, nil
		}
	}
	return isp.Subscriber{}, notFound()
}

// timeLeft says how long is left, in words: days and hours, or hours and
// minutes under two days.
func timeLeft(lang string, d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	if days < 2 {
		hours += 24 * days
	}
	if days >= 2 {
		return t(lang, "net.days", days, hours)
	}
	return t(lang, "net.hours", hours, mins)
}
