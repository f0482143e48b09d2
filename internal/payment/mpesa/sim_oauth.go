package mpesa

import (
	"net/http"
	"strings"
	"time"
)

type simToken struct {
	token   string
	expires time.Time
}

// handleOAuth issues a token. Like Daraja, a new token replaces the app's
// previous one, which stops working at once.
func (s *Simulator) handleOAuth(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("grant_type") != "client_credentials" {
		s.writeError(w, &APIError{Code: CodeInvalidGrantType, Message: "Invalid grant type passed"})
		return
	}
	key, secret, ok := r.BasicAuth()
	if !ok || key == "" || (s.cfg.ConsumerKey != "" && (key != s.cfg.ConsumerKey || secret != s.cfg.ConsumerSecret)) {
		s.writeError(w, &APIError{Code: CodeInvalidAuth, Message: "Invalid Authentication passed"})
		return
	}
	s.mu.Lock()
	tok := s.randomString(28, alnumMixed)
	s.tokens[key] = simToken{token: tok, expires: s.now().Add(s.cfg.TokenTTL)}
	secs := int(s.cfg.TokenTTL / time.Second)
	// Older replies give expires_in as a string: alternate, so clients
	// meet both.
	s.issued++
	var expires any = secs
	if s.issued%2 == 1 {
		expires = itoa(secs)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": expires})
}

// authorize checks the bearer token: it must be the newest token of some
// app and not expired.
func (s *Simulator) authorize(r *http.Request) *APIError {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return &APIError{Code: CodeMissingToken, Message: "Error Occurred - Invalid Access Token - " + h}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, t := range s.tokens {
		if t.token == tok && now.Before(t.expires) {
			return nil
		}
	}
	return &APIError{Code: CodeInvalidToken, Message: "Invalid Access Token"}
}

// RevokeTokens invalidates every token issued so far, as when another
// process of the same app asks for a new one.
func (s *Simulator) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}
