package hotspot

import (
	"encoding/json"
	"net/http"
	"time"
)

// ticketCookie holds, sealed, the purchase a browser started and the
// account it bought for: the wait page reads it to show the username and
// password once M-Pesa says paid. It stays in the browser that asked and
// out of every URL, so that neither a router's log nor another device
// learns the password.
const ticketCookie = "mteja_hotspot"

// ticketTTL is how long the wait page can follow a purchase: an STK
// prompt lives about a minute, and a customer may come back to the page to
// read the password again.
const ticketTTL = 2 * time.Hour

type ticket struct {
	Checkout string `json:"c"`
	Username string `json:"u"`
	Password string `json:"p"`
	Expires  int64  `json:"e"` // Unix seconds
}

const ticketBinding = "hotspot ticket"

func (h *Handler) setTicket(w http.ResponseWriter, tk ticket, now time.Time) error {
	tk.Expires = now.Add(ticketTTL).Unix()
	b, err := json.Marshal(tk)
	if err != nil {
		return err
	}
	sealed, err := h.Seal.Seal(string(b), ticketBinding)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ticketCookie, Value: sealed, Path: "/hotspot/", MaxAge: int(ticketTTL / time.Second),
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// readTicket returns the browser's ticket; ok is false when there is none,
// or it does not open, or it has expired.
func (h *Handler) readTicket(r *http.Request, now time.Time) (tk ticket, ok bool) {
	c, err := r.Cookie(ticketCookie)
	if err != nil || len(c.Value) > 1024 {
		return ticket{}, false
	}
	plain, err := h.Seal.Open(c.Value, ticketBinding)
	if err != nil || json.Unmarshal([]byte(plain), &tk) != nil || now.Unix() > tk.Expires {
		return ticket{}, false
	}
	return tk, true
}
