package console

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/phone"
)

// hubData is the attendant's one screen: the queue, and the customer at
// the counter once they consented.
type hubData struct {
	Hub       hub.Hub
	Queue     []hub.Ticket
	Now       time.Time
	CanAssist bool   // consent codes can be sent here
	AskPhone  string // a consent code was just sent to this phone: the code's form shows
	Session   *login.Session
	Answer    *hub.Answer
}

// hubPage is the attendant's screen: the queue with its actions, the
// consent forms, and for the consented customer "where is my token?".
func (h *Handler) hubPage(w http.ResponseWriter, v *visit) error {
	err := h.hubScreen(w, v, http.StatusOK, "", "")
	if errors.Is(err, hub.ErrNoHub) {
		// Signed in before an admin attached them: their screen says so,
		// as a page, not a failure.
		p := h.page(v, "hub.title", nil, "–")
		p.Err = t(v.lang, "hub.nohub")
		return h.render(w, v, http.StatusOK, "error", p)
	}
	return err
}

// hubScreen renders the screen with a notice or an error message key.
func (h *Handler) hubScreen(w http.ResponseWriter, v *visit, status int, askPhone, errKey string) error {
	ctx := v.r.Context()
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	d := hubData{Hub: hb, Now: h.DB.Now(), CanAssist: h.Services.Login != nil, AskPhone: askPhone}
	if d.Queue, err = hub.Today(ctx, h.DB, hb.ID); err != nil {
		return err
	}
	if s, _ := h.assisted(v, hb); s != nil {
		a, err := hub.Lookup(ctx, h.DB, s.MSISDN, h.DB.Now())
		if err != nil {
			return err
		}
		if err := h.audit(v, "hub.lookup", "assisted:"+s.ID, phone.Mask(s.MSISDN)+" at "+hb.Name); err != nil {
			return err
		}
		d.Session, d.Answer = s, &a
	}
	p := h.page(v, "hub.title", d, hb.Name)
	if v.r.Method != http.MethodGet {
		p.Path = "/staff/hub" // the language switch comes back to the screen, never to a form's action
	}
	if errKey != "" {
		p.Err = t(v.lang, errKey)
	}
	if key, ok := hubDone[v.r.URL.Query().Get("done")]; ok {
		p.Notice = t(v.lang, key, v.r.URL.Query().Get("n"))
	}
	return h.render(w, v, status, "hub", p)
}

// hubDone words what was just done, by the done= an action returned with.
var hubDone = map[string]string{"issued": "hub.issued", "called": "hub.called", "served": "hub.served",
	"empty": "hub.empty", "assist": "hub.assist.opened", "ended": "hub.assist.ended", "resent": "resend.done"}

// hubIssue gives a walk-in customer the next number.
func (h *Handler) hubIssue(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	tk, err := hub.Issue(v.r.Context(), h.DB, hb.ID)
	if err != nil {
		return err
	}
	if err := h.audit(v, "hub.ticket.issue", tk.ID, hb.Name+" "+tk.Label()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/hub?done=issued&n="+tk.Label())
}

// hubCall calls the longest-waiting customer to this attendant.
func (h *Handler) hubCall(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	tk, err := hub.CallNext(v.r.Context(), h.DB, hb.ID, v.user().Username)
	if errors.Is(err, hub.ErrQueueEmpty) {
		return redirect(w, v, "/staff/hub?done=empty")
	}
	if err != nil {
		return err
	}
	if err := h.audit(v, "hub.ticket.call", tk.ID, hb.Name+" "+tk.Label()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/hub?done=called&n="+tk.Label())
}

// hubServed marks a called customer served.
func (h *Handler) hubServed(w http.ResponseWriter, v *visit) error {
	hb, err := h.myHub(v)
	if err != nil {
		return err
	}
	tk, err := hub.Done(v.r.Context(), h.DB, hb.ID, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.audit(v, "hub.ticket.done", tk.ID, hb.Name+" "+tk.Label()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/hub?done=served&n="+tk.Label())
}

// showWait shows a wait or a service time to the second: "4m05s".
func showWait(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return d.Round(time.Second).String()
}
