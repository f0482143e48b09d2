package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
)

type ticketRequest struct {
	Phone    string `json:"phone"`
	Meter    string `json:"meter"`
	Account  string `json:"account"`
	Category string `json:"category"`
	Note     string `json:"note"`
}

type ticketJSON struct {
	Ref       string    `json:"ref"`
	Category  string    `json:"category"`
	Channel   string    `json:"channel"`
	State     string    `json:"state"`
	Team      string    `json:"team"`
	Priority  string    `json:"priority"`
	Repeat    bool      `json:"repeat"`
	CreatedAt time.Time `json:"created_at"`
}

// ticketOpen opens a ticket for a customer at an agent's counter or on a
// call to care: the customer gets its reference by SMS, in their
// language, and the key that opened it is audited.
func (h *Handler) ticketOpen(w http.ResponseWriter, r *http.Request) error {
	var req ticketRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	p := principal(r)
	channel := care.ChannelConsole
	if p.Role == staff.RoleAgent {
		channel = care.ChannelAgent
	}
	tr := care.Request{Channel: channel, Category: req.Category, Note: req.Note, By: p.String(),
		MeterDRN: customer.NormalizeNumber(req.Meter), Account: strings.TrimSpace(req.Account)}
	switch {
	case len(req.Note) > 500:
		return invalid("note: at most 500 bytes, got %d", len(req.Note))
	case len(tr.Account) > 64:
		return invalid("account: at most 64 characters")
	}
	if req.Phone != "" {
		n, err := phone.Normalize(req.Phone)
		if err != nil {
			return invalid("phone: %v", err)
		}
		tr.MSISDN = n
	}
	if tr.MSISDN == "" && tr.MeterDRN == "" && tr.Account == "" {
		return invalid("phone, meter or account: name the customer by one of them")
	}
	if tr.MeterDRN != "" {
		if _, err := customer.GetMeter(r.Context(), h.DB.Read(), tr.MeterDRN); err != nil {
			return err
		}
	}
	tk, repeat, err := h.desk().Open(r.Context(), tr)
	var bad *care.CategoryError
	if errors.As(err, &bad) {
		return invalid("%v", bad)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ticketJSON{Ref: tk.Ref, Category: tk.Category, Channel: tk.Channel, State: tk.State,
		Team: tk.Team, Priority: tk.Priority, Repeat: repeat, CreatedAt: tk.CreatedAt})
}
