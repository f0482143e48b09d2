package console

import (
	"net/http"

	"github.com/mteja/mteja/internal/isp"
)

type sessionsData struct {
	Sessions []isp.Session
	Total    int
	Routers  map[string]string // router id → name
	CanAct   bool
}

// sessions shows who is online now: router, user, address, since when,
// bytes both ways and the last interim update, the stale ones marked
// (their router has gone quiet); care disconnects one.
func (h *Handler) sessions(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	ctx := v.r.Context()
	open, total, err := svc.OnlineSessions(ctx, isp.MaxSessions)
	if err != nil {
		return err
	}
	d := sessionsData{Sessions: open, Total: total, Routers: map[string]string{}, CanAct: Allows(careRoles, v.user().Role)}
	rs, err := svc.RouterList(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		d.Routers[r.ID] = r.Name
	}
	p := h.page(v, "sessions.title", d)
	if v.r.URL.Query().Get("done") == "disconnected" {
		p.Notice = t(v.lang, "sessions.disconnected")
	}
	return h.render(w, v, http.StatusOK, "internet_sessions", p)
}

// sessionDisconnect has a session's router end it now. The session is
// named in the form: a router's session ids may hold any character.
func (h *Handler) sessionDisconnect(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	reason, err := reasonOf(v)
	if err != nil {
		return err
	}
	if err := svc.DisconnectSession(v.r.Context(), v.r.PostFormValue("session"), v.user().Actor(), reason); err != nil {
		return ispError(err)
	}
	return redirect(w, v, "/staff/internet/sessions?done=disconnected")
}
