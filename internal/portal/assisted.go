package portal

import (
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// assistedSession recognises a hub attendant's assisted session: a
// customer's session, for a short time and one phone, held by the
// attendant the customer gave a consent code to. It is good only while
// Assisted vouches for the holder (their own staff session in the same
// browser). Each request in it is audited under the attendant's name
// before any page is served.
func (h *Handler) assistedSession(v *visit, tok string) (login.Session, error) {
	s, err := h.Login.AuthenticateAssisted(v.r.Context(), tok)
	if err != nil {
		return s, err
	}
	a, err := h.Assisted(v.r, s)
	if err != nil {
		return login.Session{}, login.ErrUnauthorized
	}
	err = h.DB.InTx(v.r.Context(), func(tx *store.Tx) error {
		return payment.Audit(tx, "staff:"+a.Username, "assisted.request", "assisted:"+s.ID,
			phone.Mask(s.MSISDN)+" at "+a.Hub+": "+v.r.Method+" "+store.Truncate(v.r.URL.Path, 200))
	})
	if err != nil {
		return login.Session{}, err
	}
	v.assist = &a
	return s, nil
}
