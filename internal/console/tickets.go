package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// ticketReaders see the queues and tickets; care works them, and the
// auditor reads them, changing nothing.
var ticketReaders = []string{staff.RoleCare, staff.RoleAuditor}

// ticketRoutes are customer care's help desk: the queues per team, a
// ticket with its timeline, and what care does to it.
func (h *Handler) ticketRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/tickets", Roles: ticketReaders, fn: h.tickets, Menu: "nav.tickets"},
		{Method: "POST", Pattern: "/staff/tickets", Roles: careRoles, fn: h.ticketOpen},
		{Method: "GET", Pattern: "/staff/tickets/report", Roles: ticketReaders, fn: h.ticketReport, Menu: "nav.tickets"},
		{Method: "GET", Pattern: "/staff/surveys", Roles: ticketReaders, fn: h.surveyReport, Menu: "nav.tickets"},
		{Method: "GET", Pattern: "/staff/tickets/{id}", Roles: ticketReaders, fn: h.ticketPage, Menu: "nav.tickets"},
		{Method: "POST", Pattern: "/staff/tickets/{id}/reply", Roles: careRoles, fn: h.ticketReply},
		{Method: "POST", Pattern: "/staff/tickets/{id}/note", Roles: careRoles, fn: h.ticketNote},
		{Method: "POST", Pattern: "/staff/tickets/{id}/state", Roles: careRoles, fn: h.ticketState},
		{Method: "POST", Pattern: "/staff/tickets/{id}/update", Roles: careRoles, fn: h.ticketUpdate},
		{Method: "POST", Pattern: "/staff/tickets/bulk", Roles: careRoles, fn: h.ticketBulk},
		{Method: "GET", Pattern: "/staff/macros", Roles: ticketReaders, fn: h.macros, Menu: "nav.tickets"},
		{Method: "POST", Pattern: "/staff/macros", Roles: adminRoles, fn: h.macroSave},
		{Method: "POST", Pattern: "/staff/macros/{id}/delete", Roles: adminRoles, fn: h.macroDelete},
		{Method: "GET", Pattern: "/staff/meter-messages", Roles: readerRoles, fn: h.meterMessages, Menu: "nav.metermessages"},
	}
}

func (h *Handler) desk() *care.Desk {
	if h.Services.Desk != nil {
		return h.Services.Desk
	}
	return &care.Desk{DB: h.DB, Wake: h.Services.OnMessages}
}

// queuePage is a queue: the tickets a filter picks, and the counts per
// team and state for the tabs.
type queuePage struct {
	Filter     care.Filter
	Tickets    []care.Ticket
	Counts     map[string]map[string]int
	Teams      []string
	States     []string
	Categories []care.Category
	Priorities []string
	Channels   []string
	Label      map[string]string // category labels in the page's language
	Works      bool              // the user may work tickets, not only read them
	// Charter marks tickets past the charter's escalation point
	// ("escalated") or target ("breached"), by ticket id.
	Charter map[string]string
}

// tickets is the queue: active tickets oldest first unless a state is
// picked, filtered by team, category and assignee ("me" for oneself).
func (h *Handler) tickets(w http.ResponseWriter, v *visit) error {
	q := v.r.URL.Query()
	f := care.Filter{State: q.Get("state"), Team: q.Get("team"), Category: q.Get("category"), Assignee: q.Get("assignee"), Limit: 200}
	if f.State == "" {
		f.State = "active"
	}
	if f.Assignee == "me" {
		f.Assignee = v.user().Actor()
	}
	d := h.desk()
	data := queuePage{Filter: f, States: care.States, Categories: d.CategoryList(), Priorities: care.Priorities, Channels: care.Channels,
		Works: Allows(careRoles, v.user().Role)}
	var err error
	if data.Tickets, err = care.Tickets(v.r.Context(), h.DB.Read(), f); err != nil {
		return err
	}
	if data.Counts, err = care.Counts(v.r.Context(), h.DB.Read()); err != nil {
		return err
	}
	if h.Services.Charter != nil {
		ids := make([]string, len(data.Tickets))
		for i, tk := range data.Tickets {
			ids[i] = tk.ID
		}
		if data.Charter, err = charter.Flags(v.r.Context(), h.DB.Read(), ids); err != nil {
			return err
		}
	}
	data.Teams = teams(d, data.Counts)
	data.Label = map[string]string{}
	for _, c := range data.Categories {
		data.Label[c.Name] = c.Label(v.lang)
	}
	p := h.page(v, "tickets.title", data)
	if key, ok := ticketDone[q.Get("done")]; ok {
		p.Notice = t(v.lang, key)
	}
	return h.render(w, v, http.StatusOK, "tickets", p)
}

// teams lists the configured categories' teams and any a ticket was moved
// to, in the order first met.
func teams(d *care.Desk, counts map[string]map[string]int) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range d.CategoryList() {
		if !seen[c.Team] {
			seen[c.Team] = true
			out = append(out, c.Team)
		}
	}
	for team := range counts {
		if !seen[team] {
			seen[team] = true
			out = append(out, team)
		}
	}
	return out
}

// ticketView is a ticket with its timeline and what care can set.
type ticketView struct {
	Ticket     care.Ticket
	Events     []care.Event
	Customer   *customer.Customer
	Category   string
	Teams      []string
	States     []string
	Categories []care.Category
	Priorities []string
	Active     bool
	Works      bool
	Macros     []care.Macro
	// Records are the customer's newest payments, vends and messages,
	// from the customer page's timeline, so that care answers from one
	// screen.
	Records    []event
	SeesTokens bool
	Agents     []string // who a ticket may be assigned to
}

// assignable lists the actors of the active staff who may work tickets.
func (h *Handler) assignable(v *visit) ([]string, error) {
	us, err := h.Staff.Users(v.r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		if u.Status == staff.UserActive && Allows(careRoles, u.Role) {
			out = append(out, u.Actor())
		}
	}
	return out, nil
}

// ticketRecords bounds the customer's records shown beside a ticket.
const ticketRecords = 15

func (h *Handler) ticketPage(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	tk, err := care.GetTicket(ctx, h.DB.Read(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := h.desk()
	data := ticketView{Ticket: tk, Category: d.CategoryLabel(tk.Category, v.lang), States: care.States, Categories: d.CategoryList(),
		Priorities: care.Priorities, Active: care.Active(tk.State), Works: Allows(careRoles, v.user().Role)}
	if data.Events, err = care.Events(ctx, h.DB.Read(), tk.ID); err != nil {
		return err
	}
	if data.Macros, err = care.Macros(ctx, h.DB.Read()); err != nil {
		return err
	}
	if data.Agents, err = h.assignable(v); err != nil {
		return err
	}
	counts, err := care.Counts(ctx, h.DB.Read())
	if err != nil {
		return err
	}
	data.Teams = teams(d, counts)
	var drns, phones []string
	if tk.MeterDRN != "" {
		drns = append(drns, tk.MeterDRN)
		if m, err := customer.GetMeter(ctx, h.DB.Read(), tk.MeterDRN); err == nil && m.CustomerID != "" {
			if c, err := customer.Get(ctx, h.DB.Read(), m.CustomerID); err == nil {
				data.Customer = &c
				phones = append(phones, c.Phones...)
			}
		}
	}
	if tk.MSISDN != "" && !slices.Contains(phones, tk.MSISDN) {
		phones = append(phones, tk.MSISDN)
	}
	if len(drns)+len(phones) > 0 {
		all, err := h.events(ctx, drns, phones)
		if err != nil {
			return err
		}
		for _, e := range all {
			if (e.Kind == "payment" || e.Kind == "vend" || e.Kind == "message") && len(data.Records) < ticketRecords {
				data.Records = append(data.Records, e)
			}
		}
		if err := h.audit(v, "customer.read", tk.ID, "ticket "+tk.Ref); err != nil {
			return err
		}
	}
	data.SeesTokens = data.Works
	p := h.page(v, "ticket.title", data, tk.Ref)
	if key, ok := ticketDone[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, key)
	}
	return h.render(w, v, http.StatusOK, "ticket", p)
}

// ticketOpen opens a ticket for a customer who called or came in: their
// phone, their meter or account, a category and what they said.
func (h *Handler) ticketOpen(w http.ResponseWriter, v *visit) error {
	cat, err := formValue(v, "category")
	if err != nil {
		return err
	}
	r := care.Request{Channel: care.ChannelConsole, Category: cat, Note: v.r.PostFormValue("note"), By: v.user().Actor()}
	err = care.ForCustomer(v.r.Context(), h.DB.Read(), &r, v.r.PostFormValue("phone"), v.r.PostFormValue("meter"), v.r.PostFormValue("account"))
	switch {
	case errors.Is(err, care.ErrBadPhone):
		return &pageError{Status: http.StatusBadRequest, Key: "resend.badphone", cause: err}
	case errors.Is(err, care.ErrNoCustomer):
		return &pageError{Status: http.StatusBadRequest, Key: "ticket.needwho", cause: err}
	case err != nil:
		return err
	}
	tk, _, err := h.desk().Open(v.r.Context(), r)
	if err != nil {
		return &pageError{Status: http.StatusBadRequest, Key: "ticket.bad", cause: err}
	}
	return redirect(w, v, ticketPath(tk.ID)+"?done=opened")
}

// ticketDone names the notice for each ?done= an action returns with;
// anything else shows none.
var ticketDone = map[string]string{
	"opened": "tickets.done.opened", "replied": "tickets.done.replied", "noted": "tickets.done.noted",
	"state": "tickets.done.state", "updated": "tickets.done.updated", "bulk": "tickets.done.bulk",
}

func ticketPath(id string) string { return "/staff/tickets/" + url.PathEscape(id) }

// ticketAct runs one change on the ticket in the path and returns to it;
// a change its state does not allow is a conflict, a bad value a bad
// request.
func (h *Handler) ticketAct(w http.ResponseWriter, v *visit, field, done string, fn func(d *care.Desk, id, by, value string) error) error {
	value, err := formValue(v, field)
	if err != nil {
		return err
	}
	id := v.r.PathValue("id")
	err = fn(h.desk(), id, v.user().Actor(), value)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return err
	case errors.Is(err, care.ErrState):
		return &pageError{Status: http.StatusConflict, Key: "ticket.state.conflict", cause: err}
	case errors.Is(err, care.ErrNoPhone):
		return &pageError{Status: http.StatusConflict, Key: "ticket.nophone", cause: err}
	case err != nil:
		return &pageError{Status: http.StatusBadRequest, Key: "ticket.bad", cause: err}
	}
	return redirect(w, v, ticketPath(id)+"?done="+done)
}

func (h *Handler) ticketReply(w http.ResponseWriter, v *visit) error {
	return h.ticketAct(w, v, "body", "replied", func(d *care.Desk, id, by, body string) error {
		send := func() error { return d.Reply(v.r.Context(), id, by, body) }
		if macro := v.r.PostFormValue("macro"); macro != "" && strings.TrimSpace(body) == "" {
			send = func() error { return d.ReplyWith(v.r.Context(), id, by, macro) }
		}
		if err := send(); err != nil {
			return err
		}
		if next := v.r.PostFormValue("then"); next != "" {
			return d.SetState(v.r.Context(), id, by, next)
		}
		return nil
	})
}

func (h *Handler) ticketNote(w http.ResponseWriter, v *visit) error {
	return h.ticketAct(w, v, "body", "noted", func(d *care.Desk, id, by, body string) error {
		return d.Note(v.r.Context(), id, by, body)
	})
}

func (h *Handler) ticketState(w http.ResponseWriter, v *visit) error {
	return h.ticketAct(w, v, "state", "state", func(d *care.Desk, id, by, state string) error {
		return d.SetState(v.r.Context(), id, by, state)
	})
}

// ticketUpdate sets the team, assignee ("me" takes it; else an active
// staff member who works tickets, or none), priority and category at once;
// each change is on the timeline.
func (h *Handler) ticketUpdate(w http.ResponseWriter, v *visit) error {
	agents, err := h.assignable(v)
	if err != nil {
		return err
	}
	return h.ticketAct(w, v, "priority", "updated", func(d *care.Desk, id, by, prio string) error {
		f := v.r.PostForm
		c := care.Change{Priority: &prio}
		for name, dst := range map[string]**string{"team": &c.Team, "category": &c.Category, "assignee": &c.Assignee} {
			if _, ok := f[name]; ok {
				s := strings.TrimSpace(f.Get(name))
				if name == "assignee" && s == "me" {
					s = by
				}
				if name == "assignee" && s != "" && !slices.Contains(agents, s) {
					return fmt.Errorf("assignee %q: not an active staff member who works tickets", s)
				}
				*dst = &s
			}
		}
		return d.Update(v.r.Context(), id, by, c)
	})
}

// ticketBulk sends one reply, in each customer's language, to every active
// ticket of an area (those of one outage).
func (h *Handler) ticketBulk(w http.ResponseWriter, v *visit) error {
	area, err := formValue(v, "area")
	if err != nil {
		return err
	}
	_, err = h.desk().BulkReply(v.r.Context(), strings.TrimSpace(area), v.user().Actor(), v.r.PostFormValue("en"), v.r.PostFormValue("sw"))
	if err != nil {
		return &pageError{Status: http.StatusBadRequest, Key: "tickets.bulk.bad", cause: err}
	}
	return redirect(w, v, "/staff/tickets?done=bulk")
}

// meterMessages lists the knowledge base of what meters show, for agents
// on the phone with a customer.
func (h *Handler) meterMessages(w http.ResponseWriter, v *visit) error {
	return h.render(w, v, http.StatusOK, "meter_messages", h.page(v, "metermessages.title", care.MeterMessages()))
}
