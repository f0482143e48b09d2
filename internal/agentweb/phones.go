package agentweb

import (
	"errors"
	"net/http"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/quota"
)

type phoneData struct{ Meter, Phone string }

// phoneCode sends a code to the customer's phone, then asks for it.
func (h *Handler) phoneCode(w http.ResponseWriter, v *visit) error {
	f := v.r.PostForm
	d := phoneData{Meter: f.Get("meter"), Phone: f.Get("phone")}
	_, err := h.Agents.RequestPhoneCode(v.r.Context(), v.user.ID, d.Meter, d.Phone, h.Utility)
	var ex *quota.Exceeded
	switch {
	case errors.As(err, &ex):
		return &pageError{status: http.StatusTooManyRequests, key: "phone.wait"}
	case errors.Is(err, agent.ErrMeter):
		return h.renderHome(w, v, http.StatusBadRequest, "sell.no_meter", "")
	case errors.Is(err, agent.ErrInvalid):
		return h.renderHome(w, v, http.StatusBadRequest, "phone.bad", "")
	case err != nil:
		return err
	}
	return h.render(w, http.StatusOK, "phone_code", h.page(v, "phone.title", d))
}

// phoneConfirm adds the phone to the meter when the code is right.
func (h *Handler) phoneConfirm(w http.ResponseWriter, v *visit) error {
	f := v.r.PostForm
	d := phoneData{Meter: f.Get("meter"), Phone: f.Get("phone")}
	err := h.Agents.ConfirmPhone(v.r.Context(), v.user.ID, d.Meter, d.Phone, f.Get("code"))
	if errors.Is(err, agent.ErrCodeWrong) || errors.Is(err, agent.ErrInvalid) {
		p := h.page(v, "phone.title", d)
		p.Err = t(v.lang, "phone.wrong")
		return h.render(w, http.StatusBadRequest, "phone_code", p)
	}
	if err != nil {
		return err
	}
	p := h.page(v, "phone.title", nil)
	p.Notice = t(v.lang, "phone.added", d.Phone, d.Meter)
	return h.render(w, http.StatusOK, "error", p)
}
