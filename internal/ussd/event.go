package ussd

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/mteja/mteja/internal/phone"
)

// Event is the gateway's end-of-session notification: how a session ended
// and where the caller was, for reports on abandoned sessions.
type Event struct {
	Date            string // as sent by the gateway
	SessionID       string
	ServiceCode     string
	NetworkCode     string // 63902 Safaricom, 63903 Airtel, 63907 Telkom, 99999 sandbox
	Phone           string // normalised
	Status          string // Success, Incomplete or Failed
	Cost            string // as sent, with its currency ("KES 0.0100")
	DurationMillis  int64
	Hops            int
	Input           string // the session's whole path
	LastAppResponse string
	ErrorMessage    string
}

// event records an end-of-session notification: POST /ussd/events.
func (h *Handler) event(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	ev := Event{
		Date:            f.Get("date"),
		SessionID:       f.Get("sessionId"),
		ServiceCode:     f.Get("serviceCode"),
		NetworkCode:     f.Get("networkCode"),
		Status:          f.Get("status"),
		Cost:            f.Get("cost"),
		Input:           f.Get("input"),
		LastAppResponse: f.Get("lastAppResponse"),
		ErrorMessage:    f.Get("errorMessage"),
	}
	switch {
	case ev.SessionID == "":
		return badRequest("missing sessionId")
	case ev.Status == "":
		return badRequest("missing status")
	case f.Get("phoneNumber") == "":
		return badRequest("missing phoneNumber")
	}
	if ev.Phone, err = phone.Normalize(f.Get("phoneNumber")); err != nil {
		return badRequest("phoneNumber is not a mobile number")
	}
	if v := f.Get("durationInMillis"); v != "" {
		if ev.DurationMillis, err = strconv.ParseInt(v, 10, 64); err != nil || ev.DurationMillis < 0 {
			return badRequest("durationInMillis %q is not a count of milliseconds", v)
		}
	}
	if v := f.Get("hopsCount"); v != "" {
		if ev.Hops, err = strconv.Atoi(v); err != nil || ev.Hops < 0 {
			return badRequest("hopsCount %q is not a count", v)
		}
	}
	if h.opts.OnEvent != nil {
		if err := h.opts.OnEvent(r.Context(), ev); err != nil {
			return fmt.Errorf("record ussd event of session %s: %w", ev.SessionID, err)
		}
	} else {
		h.opts.Logger.LogAttrs(r.Context(), slog.LevelInfo, "ussd session ended",
			slog.String("session", ev.SessionID),
			slog.String("phone", phone.Mask(ev.Phone)),
			slog.String("status", ev.Status),
			slog.Int("hops", ev.Hops),
			slog.Int64("duration_ms", ev.DurationMillis),
			slog.String("input", ev.Input),
			slog.String("error", ev.ErrorMessage))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = io.WriteString(w, "OK")
	return err
}
