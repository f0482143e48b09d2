package console

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/staff"
)

// Who works at and on care hubs: attendants at their hub's counter;
// admins set hubs up; admins and auditors read the hubs' daily report.
var (
	hubRoles    = []string{staff.RoleHub}
	hubReaders  = []string{staff.RoleAuditor}
	errNoAssist = &pageError{Status: http.StatusConflict, Key: "hub.noassist"}
)

// hubRoutes are the hub attendant's screen and actions, and the admins'
// hub pages.
func (h *Handler) hubRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/hub", Roles: hubRoles, fn: h.hubPage, Menu: "nav.hub"},
		{Method: "POST", Pattern: "/staff/hub/tickets", Roles: hubRoles, fn: h.hubIssue},
		{Method: "POST", Pattern: "/staff/hub/call", Roles: hubRoles, fn: h.hubCall},
		{Method: "POST", Pattern: "/staff/hub/tickets/{id}/done", Roles: hubRoles, fn: h.hubServed},
		{Method: "POST", Pattern: "/staff/hub/consent", Roles: hubRoles, fn: h.hubConsent},
		{Method: "POST", Pattern: "/staff/hub/assist", Roles: hubRoles, fn: h.hubAssist},
		{Method: "POST", Pattern: "/staff/hub/assist/end", Roles: hubRoles, fn: h.hubEnd},
		{Method: "POST", Pattern: "/staff/hub/resend/{drn}", Roles: hubRoles, fn: h.hubResend},
		{Method: "GET", Pattern: "/staff/hub/print/{id}", Roles: hubRoles, fn: h.hubPrint},
		{Method: "GET", Pattern: "/staff/hubs", Roles: hubReaders, fn: h.hubs, Menu: "nav.hubs"},
		{Method: "POST", Pattern: "/staff/hubs", Roles: adminRoles, fn: h.hubCreate},
		{Method: "POST", Pattern: "/staff/hubs/attach", Roles: adminRoles, fn: h.hubAttach},
	}
}

// myHub is the hub the signed-in attendant serves at.
func (h *Handler) myHub(v *visit) (hub.Hub, error) {
	hb, err := hub.Of(v.r.Context(), h.DB, v.user().ID)
	if errors.Is(err, hub.ErrNoHub) {
		return hb, &pageError{Status: http.StatusConflict, Key: "hub.nohub", cause: err}
	}
	return hb, err
}

// assisted returns the assisted session this browser carries, when the
// signed-in attendant opened it at their hub and it is still live; nil
// otherwise. Without it no customer's record is shown.
func (h *Handler) assisted(v *visit, hb hub.Hub) (*login.Session, string) {
	if h.Services.Login == nil {
		return nil, ""
	}
	tok := h.Services.Customers.Token(v.r)
	if tok == "" {
		return nil, ""
	}
	s, err := h.Services.Login.AuthenticateAssisted(v.r.Context(), tok)
	if err != nil || s.AssistedBy != v.user().ID || s.HubID != hb.ID {
		return nil, ""
	}
	return &s, tok
}

// Assistant tells the customer portal who holds the assisted session s on
// request r: the attendant signed in to the console in the same browser,
// who opened it at the hub they still serve at. Any other request, a
// copied cookie without that attendant's own staff session above all, gets
// login.ErrUnauthorized.
func (h *Handler) Assistant(r *http.Request, s login.Session) (login.Assistant, error) {
	tok := h.cookieToken(r)
	if tok == "" || s.Kind != login.KindAssisted {
		return login.Assistant{}, login.ErrUnauthorized
	}
	ss, err := h.Staff.Authenticate(r.Context(), tok)
	if err != nil {
		return login.Assistant{}, login.ErrUnauthorized
	}
	if ss.User.ID != s.AssistedBy || ss.User.Role != staff.RoleHub {
		return login.Assistant{}, login.ErrUnauthorized
	}
	hb, err := hub.Of(r.Context(), h.DB, ss.User.ID)
	if err != nil || hb.ID != s.HubID {
		return login.Assistant{}, login.ErrUnauthorized
	}
	return login.Assistant{Username: ss.User.Username, Name: ss.User.Name, Hub: hb.Name}, nil
}
