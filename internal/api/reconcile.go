package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/reconcile"
)

// Reconciliation with M-Pesa's own records, for finance: import an
// organisation statement, list the exceptions, act on one, close a day.

// maxStatementBody bounds an import's request: a statement is far larger
// than the API's other bodies, and only finance and admin keys reach it.
const maxStatementBody = 16 << 20

type statementRequest struct {
	Name string `json:"name"`
	CSV  string `json:"csv"`
}

func (h *Handler) statementImport(w http.ResponseWriter, r *http.Request) error {
	var req statementRequest
	if err := decodeJSONMax(r, &req, maxStatementBody); err != nil {
		return err
	}
	if strings.TrimSpace(req.CSV) == "" {
		return invalid("csv: required (the statement as the M-Pesa portal exports it)")
	}
	res, err := reconcile.Import(r.Context(), h.DB, req.Name, strings.NewReader(req.CSV), principal(r).String())
	if err != nil {
		return reconcileError(err)
	}
	if res.Recorded > 0 {
		h.Intake.Wake()
	}
	return writeJSON(w, http.StatusOK, importView(res))
}

func (h *Handler) exceptionList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := reconcile.Filter{State: q.Get("state"), Day: q.Get("day")}
	switch f.State {
	case "", reconcile.Open, reconcile.Auto, reconcile.Resolved:
	default:
		return invalid("state %q: want open, auto or resolved", f.State)
	}
	if f.Day != "" {
		if _, err := reconcile.ParseDay(f.Day); err != nil {
			return invalid("%v", err)
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return invalid("limit %q: want 1-1000", s)
		}
		f.Limit = n
	}
	es, err := reconcile.Exceptions(r.Context(), h.DB.Read(), f)
	if err != nil {
		return err
	}
	out := []exceptionJSON{}
	for _, e := range es {
		out = append(out, exceptionView(e))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"exceptions": out})
}

type resolveRequest struct {
	Action string `json:"action"`
	Meter  string `json:"meter"`
	Note   string `json:"note"`
}

func (h *Handler) exceptionResolve(w http.ResponseWriter, r *http.Request) error {
	var req resolveRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := reconcile.Resolve(r.Context(), h.DB, r.PathValue("id"), reconcile.Action{Name: req.Action, Meter: req.Meter, Note: req.Note}, principal(r).String())
	if err != nil {
		return reconcileError(err)
	}
	if req.Action == reconcile.ActAssign {
		h.Intake.Wake()
	}
	return writeJSON(w, http.StatusOK, exceptionView(e))
}

func (h *Handler) dayClose(w http.ResponseWriter, r *http.Request) error {
	e, err := reconcile.Close(r.Context(), h.DB, r.PathValue("day"), principal(r).String())
	if err != nil {
		return reconcileError(err)
	}
	return writeJSON(w, http.StatusOK, entryView(e))
}

// reconcileError gives the domain's errors their HTTP status.
func reconcileError(err error) error {
	var se *reconcile.StatementError
	switch {
	case errors.As(err, &se), errors.Is(err, reconcile.ErrLayout), errors.Is(err, reconcile.ErrAction), errors.Is(err, reconcile.ErrDay),
		errors.Is(err, reconcile.ErrDayNotOver):
		return invalid("%v", err)
	case errors.Is(err, reconcile.ErrNotOpen), errors.Is(err, reconcile.ErrClosed):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	}
	return err
}

type exceptionJSON struct {
	ID           string      `json:"id"`
	Kind         string      `json:"kind"`
	Receipt      string      `json:"receipt"`
	Day          string      `json:"day"`
	Source       string      `json:"source"`
	PaymentID    string      `json:"payment_id,omitempty"`
	PaymentState string      `json:"payment_state,omitempty"`
	MpesaAmount  *amountJSON `json:"mpesa_amount,omitempty"`
	MtejaAmount  *amountJSON `json:"mteja_amount,omitempty"`
	AccountRef   string      `json:"account_ref,omitempty"`
	Detail       string      `json:"detail"`
	State        string      `json:"state"`
	Action       string      `json:"action,omitempty"`
	Actions      []string    `json:"actions"`
	FoundAt      time.Time   `json:"found_at"`
	ResolvedAt   *time.Time  `json:"resolved_at,omitempty"`
	ResolvedBy   string      `json:"resolved_by,omitempty"`
	Note         string      `json:"note,omitempty"`
}

func exceptionView(e reconcile.Exception) exceptionJSON {
	out := exceptionJSON{ID: e.ID, Kind: e.Kind, Receipt: e.Receipt, Day: e.Day, Source: e.Source, PaymentID: e.PaymentID, PaymentState: e.PaymentState,
		MpesaAmount: optionalAmount(e.MpesaAmount), MtejaAmount: optionalAmount(e.MtejaAmount), AccountRef: e.AccountRef, Detail: e.Detail,
		State: e.State, Action: e.Action, Actions: e.Actions(), FoundAt: e.FoundAt, ResolvedBy: e.ResolvedBy, Note: e.Note}
	if out.Actions == nil {
		out.Actions = []string{}
	}
	if !e.ResolvedAt.IsZero() {
		out.ResolvedAt = &e.ResolvedAt
	}
	return out
}

func optionalAmount(a *money.Amount) *amountJSON {
	if a == nil {
		return nil
	}
	v := amount(*a, "")
	return &v
}

type figureJSON struct {
	Name   string     `json:"name"`
	Count  int64      `json:"count"`
	Amount amountJSON `json:"amount"`
}

type entryJSON struct {
	ID    string       `json:"id"`
	Day   string       `json:"day"`
	Seq   int          `json:"seq"`
	Kind  string       `json:"kind"`
	At    time.Time    `json:"at"`
	By    string       `json:"by"`
	Note  string       `json:"note,omitempty"`
	Lines []figureJSON `json:"lines"`
}

func entryView(e reconcile.Entry) entryJSON {
	out := entryJSON{ID: e.ID, Day: e.Day, Seq: e.Seq, Kind: e.Kind, At: e.At, By: e.By, Note: e.Note, Lines: []figureJSON{}}
	for _, l := range e.Lines {
		out.Lines = append(out.Lines, figureJSON{Name: l.Name, Count: l.Count, Amount: amount(l.Amount, "")})
	}
	return out
}

func importView(res reconcile.Imported) map[string]any {
	es, cs := []exceptionJSON{}, []entryJSON{}
	for _, e := range res.Exceptions {
		es = append(es, exceptionView(e))
	}
	for _, c := range res.Corrections {
		cs = append(cs, entryView(c))
	}
	return map[string]any{
		"statement_id": res.StatementID, "already_imported": res.Already, "rows": res.Rows, "new": res.New,
		"kinds": map[string]int{reconcile.KindPayment: res.Kinds[reconcile.KindPayment], reconcile.KindCharge: res.Kinds[reconcile.KindCharge],
			reconcile.KindReversal: res.Kinds[reconcile.KindReversal], reconcile.KindOther: res.Kinds[reconcile.KindOther]},
		"recorded": res.Recorded, "exceptions": es, "corrections": cs,
	}
}
