package console

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/vend"
)

// event is one line of a customer's timeline; one of its records is set.
type event struct {
	At      time.Time
	Kind    string // payment, stk, vend, message, web, app, ussd, fault
	Payment *payment.Payment
	STK     *payment.STKRequest
	Vend    *vend.Vend
	Message *notify.Message
	Session *login.Session
	USSD    *care.USSDSession
	Fault   *care.Fault
}

type customerData struct {
	Customer    *customer.Customer // nil for a meter without a customer
	Meters      []customer.Meter
	Phones      []string
	Events      []event
	SeesTokens  bool // the role may see token digits and token SMS
	CanAct      bool // the role may re-send, register phones, raise faults
	CanReverse  bool // the role may record M-Pesa's reversal of a payment
	CanRegister bool // the role may register a meter for the customer
	// Internet lists the ISP's subscribers on the customer's phones: one
	// household, electricity and internet on one screen.
	Internet []isp.Subscriber
}

// customerDone words what was just done on a customer's page, by the
// done= an action returned with.
var customerDone = map[string]string{"resent": "resend.done", "phone": "phone.added", "registered": "register.done",
	"fault": "fault.raised", "closed": "fault.closed"}

// timelineLimit bounds each kind of record on one page; a customer with
// years of history shows the newest.
const timelineLimit = 40

// customerPage is everything about one customer on one screen: their meters
// and one timeline of payments, STK pushes, vends with their itemised
// receipts and tokens, every message and its delivery, USSD and portal
// sessions, and faults.
func (h *Handler) customerPage(w http.ResponseWriter, v *visit) error {
	c, ms, err := h.customerOf(v)
	if err != nil {
		return err
	}
	return h.timeline(w, v, &c, ms, c.Phones, c.ID)
}

// customerOf reads the customer a page is about, with their meters.
func (h *Handler) customerOf(v *visit) (customer.Customer, []customer.Meter, error) {
	c, err := customer.Get(v.r.Context(), h.DB.Read(), v.r.PathValue("id"))
	if err != nil {
		return c, nil, err
	}
	ms, err := customer.MetersOf(v.r.Context(), h.DB.Read(), c.ID)
	return c, ms, err
}

// meterPage is the same for a meter, with its customer's phones if it has
// one; a meter without a customer has only its own history.
func (h *Handler) meterPage(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	m, err := customer.GetMeter(ctx, h.DB.Read(), customer.NormalizeNumber(v.r.PathValue("drn")))
	if err != nil {
		return err
	}
	if m.CustomerID != "" {
		return redirect(w, v, "/staff/customers/"+m.CustomerID)
	}
	return h.timeline(w, v, nil, []customer.Meter{m}, nil, m.DRN)
}

func (h *Handler) timeline(w http.ResponseWriter, v *visit, c *customer.Customer, ms []customer.Meter, phones []string, subject string) error {
	role := v.user().Role
	d := customerData{Customer: c, Meters: ms, Phones: phones,
		SeesTokens: Allows(careRoles, role), CanAct: Allows(careRoles, role), CanReverse: Allows(financeRoles, role),
		CanRegister: Allows(adminRoles, role)}
	drns := make([]string, len(ms))
	for i, m := range ms {
		drns[i] = m.DRN
	}
	var err error
	if d.Events, err = h.events(v.r.Context(), drns, phones); err != nil {
		return err
	}
	if d.Internet, err = h.internetOf(v.r.Context(), phones); err != nil {
		return err
	}
	if err := h.audit(v, "customer.read", subject, ""); err != nil {
		return err
	}
	title, arg := "customer.title", subject
	if c != nil {
		arg = c.Name
		if Masks(role) {
			arg = customer.MaskName(c.Name)
		}
	}
	p := h.page(v, title, d, arg)
	if key, ok := customerDone[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, key)
	}
	return h.render(w, v, http.StatusOK, "customer", p)
}

// internetOf returns the ISP's subscribers on any of phones, once each;
// none without the ISP's billing.
func (h *Handler) internetOf(ctx context.Context, phones []string) ([]isp.Subscriber, error) {
	if h.Services.ISP == nil {
		return nil, nil
	}
	var out []isp.Subscriber
	for _, p := range phones {
		subs, err := h.Services.ISP.ByPhone(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			if !slices.ContainsFunc(out, func(o isp.Subscriber) bool { return o.ID == s.ID }) {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// events gathers the timeline, newest first.
func (h *Handler) events(ctx context.Context, drns, phones []string) ([]event, error) {
	db := h.DB.Read()
	var out []event
	ps, err := payment.ForAccounts(ctx, db, drns, phones, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		out = append(out, event{At: ps[i].ReceivedAt, Kind: "payment", Payment: &ps[i]})
	}
	stks, err := payment.STKForAccounts(ctx, db, drns, phones, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range stks {
		out = append(out, event{At: stks[i].CreatedAt, Kind: "stk", STK: &stks[i]})
	}
	var refs []string
	for _, d := range drns {
		vs, err := vend.ForMeter(ctx, db, d, timelineLimit)
		if err != nil {
			return nil, err
		}
		for i := range vs {
			out = append(out, event{At: vs[i].CreatedAt, Kind: "vend", Vend: &vs[i]})
			refs = append(refs, vs[i].ID)
		}
	}
	for _, p := range ps {
		refs = append(refs, p.ID)
	}
	msgs, err := notify.ForAccount(ctx, h.DB, phones, refs, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		out = append(out, event{At: msgs[i].QueuedAt, Kind: "message", Message: &msgs[i]})
	}
	sess, err := login.SessionsOf(ctx, h.DB, phones, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range sess {
		out = append(out, event{At: sess[i].CreatedAt, Kind: sess[i].Kind, Session: &sess[i]})
	}
	us, err := care.USSDSessions(ctx, h.DB, phones, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range us {
		out = append(out, event{At: us[i].At, Kind: "ussd", USSD: &us[i]})
	}
	fs, err := care.FaultsFor(ctx, h.DB, phones, drns, timelineLimit)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		out = append(out, event{At: fs[i].CreatedAt, Kind: "fault", Fault: &fs[i]})
	}
	slices.SortStableFunc(out, func(a, b event) int { return b.At.Compare(a.At) })
	return out, nil
}
