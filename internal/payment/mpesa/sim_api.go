package mpesa

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/money"
)

// simHandler serves one API call: it gets the request's fields and returns
// the reply or a Daraja error.
type simHandler func(r *http.Request, f fields) (any, *APIError)

// api wraps an endpoint with what every Daraja API call goes through: the
// bearer token, injected failures, a bounded JSON body, and replies in
// Daraja's envelope.
func (s *Simulator) api(h simHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if e := s.authorize(r); e != nil {
			s.writeError(w, e)
			return
		}
		if e := s.injectedFailure(); e != nil {
			s.writeError(w, e)
			return
		}
		b, err := ReadBody(r.Body)
		if err != nil {
			s.writeError(w, badRequest("Request body too large"))
			return
		}
		f, err := parseBody(b)
		if err != nil {
			s.writeError(w, badRequest("Invalid JSON"))
			return
		}
		reply, e := h(r, f)
		if e != nil {
			s.writeError(w, e)
			return
		}
		writeJSON(w, http.StatusOK, reply)
	}
}

// badRequest is Daraja's 400.002.02 with its "Bad Request - Invalid X" text.
func badRequest(what string) *APIError {
	if !strings.HasPrefix(what, "Invalid") && !strings.HasPrefix(what, "Request") {
		what = "Invalid " + what
	}
	return &APIError{Code: CodeBadRequest, Message: "Bad Request - " + what}
}

// writeError answers in Daraja's envelope. The HTTP status is the code's
// first part, as Daraja does (404.001.03 comes with 404).
func (s *Simulator) writeError(w http.ResponseWriter, e *APIError) {
	status := http.StatusInternalServerError
	if head, _, ok := strings.Cut(e.Code, "."); ok {
		if n, err := strconv.Atoi(head); err == nil && n >= 400 && n <= 599 {
			status = n
		}
	}
	s.mu.Lock()
	id := s.requestID()
	s.mu.Unlock()
	writeJSON(w, status, map[string]string{"requestId": id, "errorCode": e.Code, "errorMessage": e.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// FailNextCalls makes the next n API calls (OAuth excepted) fail with the
// given Daraja error, for example CodeSpikeArrest, to test back-off.
func (s *Simulator) FailNextCalls(n int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failWith = n, APIError{Code: code, Message: message}
}

func (s *Simulator) injectedFailure() *APIError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNext <= 0 {
		return nil
	}
	s.failNext--
	e := s.failWith
	return &e
}

// requireText reads a field the endpoint needs; its absence is Daraja's
// "Bad Request - Invalid <field>".
func requireText(f fields, name string) (string, *APIError) {
	s := strings.TrimSpace(f.str(name))
	if s == "" {
		return "", badRequest(name)
	}
	return s, nil
}

// wholeAmount reads an Amount field that must be whole shillings in range.
func (s *Simulator) wholeAmount(f fields) (money.Amount, *APIError) {
	a, ok, err := amount(f.get("Amount"), "Amount")
	if err != nil || !ok || !a.IsWhole() || a < s.cfg.MinAmount || a > s.cfg.MaxAmount {
		return 0, badRequest("Amount")
	}
	return a, nil
}
