package console

import (
	"context"
	"net/http"

	"github.com/mteja/mteja/internal/isp"
)

// subscriberPassword gives a subscriber a new password, made here and
// shown once: a password a care agent chose would be one they know.
func (h *Handler) subscriberPassword(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	sub, err := svc.Subscriber(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	password := isp.NewPassword()
	if err := svc.SetPassword(v.r.Context(), sub.ID, password, v.user().Actor()); err != nil {
		return err
	}
	return h.render(w, v, http.StatusOK, "internet_password", h.page(v, "sub.newpassword", passwordData{ID: sub.ID, Username: sub.Username, Password: password}))
}

// subscriptionState changes the state of a subscriber's live subscription
// (suspend, reconnect, terminate) with the reason given; billing records
// it, audits it and tells the routers.
func (h *Handler) subscriptionState(done string, change func(*isp.Service, context.Context, string, string, string) error) ispHandler {
	return func(w http.ResponseWriter, v *visit, svc *isp.Service) error {
		reason, err := reasonOf(v)
		if err != nil {
			return err
		}
		id := v.r.PathValue("id")
		live, err := svc.Live(v.r.Context(), id)
		if err != nil {
			return err
		}
		if err := change(svc, v.r.Context(), live.ID, v.user().Actor(), reason); err != nil {
			return ispError(err)
		}
		return redirect(w, v, subscriberURL(id, done))
	}
}

// subscriberDisconnect has the routers end every session of a subscriber
// now; they may log in again, and are decided afresh.
func (h *Handler) subscriberDisconnect(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	reason, err := reasonOf(v)
	if err != nil {
		return err
	}
	sub, err := svc.Subscriber(v.r.Context(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := svc.Disconnect(v.r.Context(), sub.ID, v.user().Actor(), reason); err != nil {
		return ispError(err)
	}
	return redirect(w, v, subscriberURL(sub.ID, "disconnected"))
}

// subscriberPlan subscribes a subscriber without a live plan to one,
// pending until paid.
func (h *Handler) subscriberPlan(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	plan, err := formValue(v, "plan")
	if err != nil {
		return err
	}
	id := v.r.PathValue("id")
	if _, err := svc.Subscribe(v.r.Context(), id, plan, v.user().Actor()); err != nil {
		return ispError(err)
	}
	return redirect(w, v, subscriberURL(id, "subscribed"))
}

// internetAssign gives an ISP payment waiting in suspense to the
// subscriber named: it is credited and applied as if its account had
// named them.
func (h *Handler) internetAssign(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	username, err := formValue(v, "username")
	if err != nil {
		return err
	}
	if username == "" {
		return &pageError{Status: http.StatusBadRequest, Key: "suspense.needuser"}
	}
	if err := svc.AssignPayment(v.r.Context(), v.r.PathValue("id"), username, v.user().Actor()); err != nil {
		return ispError(err)
	}
	return redirect(w, v, "/staff/suspense?done=assigned")
}
