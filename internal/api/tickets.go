package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/care"
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
	if len(req.Note) > 500 {
		return invalid("note: at most 500 bytes, got %d", len(req.Note))
	}
	tr := care.Request{Channel: channel, Category: req.Category, Note: req.Note, By: p.String()}
	err := care.ForCustomer(r.Context(), h.DB.Read(), &tr, req.Phone, req.Meter, req.Account)
	switch {
	case errors.Is(err, care.ErrBadPhone), errors.Is(err, care.ErrNoCustomer):
		return invalid("%v", err)
	case err != nil:
		return err
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
