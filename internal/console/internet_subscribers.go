package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// subscriberForm is the new-subscriber form as typed, with what is wrong
// beside each field.
type subscriberForm struct {
	Username, Name, Phone, Language, Plan string
	Errs                                  map[string]string
}

// Bad is the problem with field, "" when none.
func (f subscriberForm) Bad(field string) string { return f.Errs[field] }

type subscribersData struct {
	Q         string
	Found     []isp.Listed
	Searched  bool
	CanCreate bool
	Plans     []isp.Plan // on sale, to subscribe a new subscriber to
	Form      subscriberForm
}

// subscribers finds subscribers by phone, username or name (the newest
// without a search) and, for care, has the form that adds one.
func (h *Handler) subscribers(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	return h.subscribersPage(w, v, svc, http.StatusOK, subscriberForm{Language: "en"})
}

func (h *Handler) subscribersPage(w http.ResponseWriter, v *visit, svc *isp.Service, status int, f subscriberForm) error {
	var err error
	ctx := v.r.Context()
	q := strings.TrimSpace(v.r.URL.Query().Get("q"))
	d := subscribersData{Q: q, Searched: q != "", CanCreate: Allows(careRoles, v.user().Role), Form: f}
	p := h.page(v, "subs.title", &d)
	if len(q) > 100 {
		p.Err = t(v.lang, "search.long")
		return h.render(w, v, http.StatusBadRequest, "internet_subscribers", p)
	}
	if d.Found, err = svc.FindSubscribers(ctx, q); err != nil {
		return err
	}
	if q != "" {
		if err := h.audit(v, "isp.subscriber.search", "", q); err != nil {
			return err
		}
	}
	if d.CanCreate {
		if d.Plans, err = plansOnSale(v, svc); err != nil {
			return err
		}
	}
	if len(f.Errs) > 0 {
		p.Err = t(v.lang, "subs.problems")
	}
	return h.render(w, v, status, "internet_subscribers", p)
}

func plansOnSale(v *visit, svc *isp.Service) ([]isp.Plan, error) {
	all, err := svc.Plans(v.r.Context())
	var out []isp.Plan
	for _, p := range all {
		if p.Active {
			out = append(out, p)
		}
	}
	return out, err
}

// passwordData is a password shown once: made for a new subscriber, or a
// new one for an existing subscriber.
type passwordData struct {
	ID, Username, Password string
	New                    bool
}

// subscriberCreate adds a subscriber, subscribed to the plan chosen
// (pending until paid), and shows their password once.
func (h *Handler) subscriberCreate(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	fm, err := readForm(v)
	if err != nil {
		return err
	}
	f := subscriberForm{Username: isp.NormalizeUsername(fm.str("username")), Name: fm.str("name"), Phone: fm.str("phone"),
		Language: fm.str("language"), Plan: fm.str("plan"), Errs: map[string]string{}}
	sub := isp.Subscriber{Username: f.Username, Name: f.Name, Language: f.Language}
	if f.Phone != "" {
		n, err := phone.Normalize(f.Phone)
		if err != nil {
			f.Errs["phone"] = t(v.lang, "subs.bad.phone")
		}
		sub.Phones = []string{n}
	}
	if f.Language != "en" && f.Language != "sw" {
		f.Errs["language"] = t(v.lang, "subs.bad.language")
	}
	if len(f.Name) > 100 {
		f.Errs["name"] = t(v.lang, "subs.bad.name")
	}
	if len(f.Errs) > 0 {
		return h.subscribersPage(w, v, svc, http.StatusBadRequest, f)
	}
	ctx := v.r.Context()
	by := v.user().Actor()
	sub, password, err := svc.CreateSubscriber(ctx, sub, "")
	switch {
	case errors.Is(err, isp.ErrUsername):
		f.Errs["username"] = t(v.lang, "net.err.username")
	case errors.Is(err, isp.ErrTaken):
		f.Errs["username"] = t(v.lang, "net.err.taken")
	case err != nil:
		return err
	}
	if len(f.Errs) > 0 {
		return h.subscribersPage(w, v, svc, http.StatusBadRequest, f)
	}
	if err := h.audit(v, "isp.subscriber.create", sub.ID, sub.Username); err != nil {
		return err
	}
	p := h.page(v, "subs.created", passwordData{ID: sub.ID, Username: sub.Username, Password: password, New: true})
	if f.Plan != "" {
		// The subscriber is added whatever becomes of the plan: their
		// password is shown now or never, and the plan can be given on
		// their page.
		if _, err := svc.Subscribe(ctx, sub.ID, f.Plan, by); err != nil {
			var pe *pageError
			if !errors.As(ispError(err), &pe) && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			p.Err = t(v.lang, "subs.planfailed")
		}
	}
	return h.render(w, v, http.StatusOK, "internet_password", p)
}

type subscriberData struct {
	Sub       isp.Subscriber
	Live      *isp.Subscription
	Plan      *isp.Plan
	Usage     isp.Usage
	History   []isp.HistoryEntry
	Wallet    []isp.WalletEntry
	Purchases []isp.Purchase
	Sessions  []isp.Session
	Changes   []isp.Change
	Plans     []isp.Plan // on sale, to subscribe one without a live plan
	CanAct    bool
}

// pageRows is how many of each kind of record a subscriber's page shows.
const pageRows = 20

// subscriberPage is one subscriber on one screen: their plan and where
// it stands with every change and its reason, usage, wallet, purchases,
// sessions and the requests sent to their routers; care's actions.
func (h *Handler) subscriberPage(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	ctx := v.r.Context()
	sub, err := svc.Subscriber(ctx, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := subscriberData{Sub: sub, CanAct: Allows(careRoles, v.user().Role)}
	live, err := svc.Live(ctx, sub.ID)
	switch {
	case err == nil:
		d.Live = &live
		if pl, err := svc.GetPlan(ctx, live.PlanID); err == nil {
			d.Plan = &pl
		}
		if d.History, err = svc.History(ctx, live.ID); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if d.Usage, err = svc.UsageOf(ctx, sub.ID); err != nil {
		return err
	}
	if d.Wallet, err = svc.Wallet(ctx, sub.ID, pageRows); err != nil {
		return err
	}
	// Purchases come oldest first: the newest are the last of the past
	// year's.
	ps, err := svc.Purchases(ctx, isp.PurchaseFilter{SubscriberID: sub.ID, From: h.DB.Now().AddDate(-1, 0, 0), Limit: 1000})
	if err != nil {
		return err
	}
	for i := len(ps) - 1; i >= 0 && len(d.Purchases) < pageRows; i-- {
		d.Purchases = append(d.Purchases, ps[i])
	}
	if d.Sessions, err = svc.SessionsOf(ctx, sub.ID, pageRows); err != nil {
		return err
	}
	if d.Changes, err = svc.ChangesOf(ctx, sub.Username, pageRows); err != nil {
		return err
	}
	if d.CanAct && d.Live == nil {
		if d.Plans, err = plansOnSale(v, svc); err != nil {
			return err
		}
	}
	if err := h.audit(v, "isp.subscriber.view", sub.ID, ""); err != nil {
		return err
	}
	p := h.page(v, "sub.title", d, sub.Username)
	if done := v.r.URL.Query().Get("done"); done != "" && subscriberDone[done] != "" {
		p.Notice = t(v.lang, subscriberDone[done])
	}
	return h.render(w, v, http.StatusOK, "internet_subscriber", p)
}

// subscriberDone words what was just done on a subscriber's page.
var subscriberDone = map[string]string{"suspended": "sub.suspended", "reconnected": "sub.reconnected", "terminated": "sub.terminated",
	"disconnected": "sub.disconnected", "subscribed": "sub.subscribed"}

func subscriberURL(id, done string) string {
	return "/staff/internet/subscribers/" + url.PathEscape(id) + "?done=" + done
}
