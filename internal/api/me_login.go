package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/phone"
)

type otpRequest struct {
	Phone string `json:"phone"`
}

// loginOTP sends a login code by SMS. An unregistered number gets the same
// answer and no SMS, so that the API does not tell who is a customer.
func (m *me) loginOTP(w http.ResponseWriter, r *http.Request) error {
	var req otpRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	msisdn, err := m.login.RequestCode(r.Context(), req.Phone, login.ClientAddress(r))
	var rl *login.RateLimitError
	switch {
	case errors.Is(err, login.ErrBadPhone):
		return invalid("phone: %v", err)
	case errors.As(err, &rl):
		return meRateLimited(w, rl.RetryAfter)
	case err != nil:
		return err
	}
	ttl := login.DefaultLimits.CodeTTL
	if m.login.Limits.CodeTTL > 0 {
		ttl = m.login.Limits.CodeTTL
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"phone": phone.Mask(msisdn), "expires_in": int(ttl / time.Second),
		"message": "If this number is registered, a 6-digit code is on its way by SMS."})
}

type verifyRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// loginVerify exchanges the SMS code for a bearer token.
func (m *me) loginVerify(w http.ResponseWriter, r *http.Request) error {
	var req verifyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	// The limits that stop guessing are in the database (see
	// login.Verify); this one only shields the node from a flood.
	addr := login.ClientAddress(r)
	if err := meTake(w, m.verify, "ip:"+addr); err != nil {
		return err
	}
	s, token, err := m.login.Verify(r.Context(), req.Phone, req.Code, login.KindApp, addr)
	var rl *login.RateLimitError
	switch {
	case errors.Is(err, login.ErrBadPhone):
		return invalid("phone: %v", err)
	case errors.As(err, &rl):
		return meRateLimited(w, rl.RetryAfter)
	case errors.Is(err, login.ErrBadCode), errors.Is(err, login.ErrCodeSpent):
		return &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: err.Error()}
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"token": token, "token_type": "Bearer", "expires_at": s.ExpiresAt, "phone": s.MSISDN})
}

// logout revokes the token the request carries.
func (m *me) logout(w http.ResponseWriter, r *http.Request) error {
	if err := m.login.Logout(r.Context(), login.BearerToken(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// profile tells the app who is logged in and in which language to speak.
func (m *me) profile(w http.ResponseWriter, r *http.Request) error {
	s := meSession(r)
	lang, err := customer.LanguageOf(r.Context(), m.DB.Read(), s.MSISDN)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"phone": s.MSISDN, "language": lang, "session_expires_at": s.ExpiresAt})
}
