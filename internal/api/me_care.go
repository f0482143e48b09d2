package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/vend"
)

type myResendRequest struct {
	Meter string `json:"meter"`
	Count int    `json:"count"` // vends to include, 1-5, default 3
}

// resendTokens texts a meter's last tokens to the customer's own phone.
func (m *me) resendTokens(w http.ResponseWriter, r *http.Request) error {
	var req myResendRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Count < 0 || req.Count > 5 {
		return invalid("count %d: want 1-5", req.Count)
	}
	x, err := m.myMeter(r, req.Meter)
	if err != nil {
		return err
	}
	s := meSession(r)
	if err := meTake(w, m.resend, s.ID); err != nil {
		return err
	}
	n, err := vend.Resend(r.Context(), m.DB, m.Utility, x.DRN, vend.ResendTo{Phone: s.MSISDN}, req.Count)
	if err != nil {
		return err
	}
	if m.OnMessages != nil {
		m.OnMessages()
	}
	return writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
}

type faultRequest struct {
	Meter string `json:"meter"`
	Kind  string `json:"kind"`
	Note  string `json:"note"`
}

type faultJSON struct {
	Ref       string    `json:"ref"`
	Meter     string    `json:"meter"`
	Kind      string    `json:"kind"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
}

// fault records a problem the customer reports at one of their meters.
func (m *me) fault(w http.ResponseWriter, r *http.Request) error {
	var req faultRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !care.ValidFaultKind(req.Kind) {
		return invalid("kind %q: want no_power, token_rejected, meter, no_token or other", req.Kind)
	}
	if len(req.Note) > 500 {
		return invalid("note: at most 500 bytes")
	}
	x, err := m.myMeter(r, req.Meter)
	if err != nil {
		return err
	}
	s := meSession(r)
	if err := meTake(w, m.report, s.ID); err != nil {
		return err
	}
	f, err := m.desk().ReportFault(r.Context(), care.ChannelApp, s.MSISDN, x.DRN, req.Kind, req.Note)
	if errors.Is(err, care.ErrTooMany) {
		return meRateLimited(w, time.Hour)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, faultJSON{Ref: f.Ref, Meter: f.MeterDRN, Kind: f.Kind, State: f.State, CreatedAt: f.CreatedAt})
}

type outageJSON struct {
	Area     string     `json:"area"`
	Kind     string     `json:"kind"`
	Message  string     `json:"message"`
	StartsAt time.Time  `json:"starts_at"`
	EndsAt   *time.Time `json:"ends_at,omitempty"`
}

// outages lists the outages in force, or planned within a day, in the
// areas of the customer's meters, in the customer's language.
func (m *me) outages(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := meSession(r)
	ms, err := customer.MetersForPhone(ctx, m.DB.Read(), s.MSISDN)
	if err != nil {
		return err
	}
	lang, err := customer.LanguageOf(ctx, m.DB.Read(), s.MSISDN)
	if err != nil {
		return err
	}
	out := []outageJSON{}
	areas := []string{}
	seen := map[string]bool{}
	for _, x := range ms {
		if x.Area == "" || seen[x.Area] {
			continue
		}
		seen[x.Area] = true
		areas = append(areas, x.Area)
		os, err := care.CurrentOutages(ctx, m.DB, x.Area, m.DB.Now())
		if err != nil {
			return err
		}
		for _, o := range os {
			oj := outageJSON{Area: o.Area, Kind: o.Kind, Message: o.Text(lang), StartsAt: o.StartsAt}
			if !o.EndsAt.IsZero() {
				oj.EndsAt = &o.EndsAt
			}
			out = append(out, oj)
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"areas": areas, "outages": out})
}

type languageRequest struct {
	Language string `json:"language"`
}

// language stores the customer's language for SMS, USSD, the portal and
// the app.
func (m *me) language(w http.ResponseWriter, r *http.Request) error {
	var req languageRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Language != "en" && req.Language != "sw" {
		return invalid("language %q: want en or sw", req.Language)
	}
	if err := customer.SetLanguage(r.Context(), m.DB, meSession(r).MSISDN, req.Language); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"language": req.Language})
}
