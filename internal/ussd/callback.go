package ussd

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// maxSessionID bounds the gateway's session id, which is a key of the dedupe
// cache.
const maxSessionID = 128

// callback answers one screen of a session: POST /ussd.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	sid := f.Get("sessionId")
	if sid == "" {
		return badRequest("missing sessionId")
	}
	if len(sid) > maxSessionID {
		return badRequest("sessionId longer than %d characters", maxSessionID)
	}
	if f.Get("phoneNumber") == "" {
		return badRequest("missing phoneNumber")
	}
	msisdn, err := phone.Normalize(f.Get("phoneNumber"))
	if err != nil {
		return badRequest("phoneNumber is not a mobile number")
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.opts.Timeout)
	defer cancel()
	s := &session{ctx: ctx, h: h, id: sid, msisdn: msisdn, raw: f.Get("text")}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = io.WriteString(w, h.reply(s))
	return err
}

// reply is the answer to one request. It never fails: a backend error ends
// the session with an apology in the caller's language.
func (h *Handler) reply(s *session) (out string) {
	s.lang, s.t = h.opts.DefaultLanguage, textsFor(h.opts.DefaultLanguage)
	defer func() {
		if r := recover(); r != nil {
			h.logError(s, fmt.Errorf("panic: %v", r))
			out = end(s.t.Unavailable).reply()
		}
	}()
	h.setLanguage(s)
	sc, err := s.run(splitPath(s.raw))
	switch {
	case err != nil && store.Unavailable(err):
		// The database is restarting: the caller is told to dial again
		// soon rather than that the service is down.
		h.opts.Logger.LogAttrs(s.ctx, slog.LevelWarn, "ussd: database unavailable",
			slog.String("session", s.id), slog.String("err", err.Error()))
		sc = end(s.t.TryLater)
	case err != nil:
		h.logError(s, err)
		sc = end(s.t.Unavailable)
	}
	out = sc.reply()
	if runes(out) > maxScreen {
		// Tests walk every screen to keep this from happening; if a backend
		// text slips through, a cut screen beats one the handset drops.
		h.opts.Logger.LogAttrs(s.ctx, slog.LevelWarn, "ussd screen too long",
			slog.String("session", s.id), slog.Int("chars", runes(out)))
		out = clip(out, maxScreen)
	}
	return out
}

// setLanguage picks the caller's language. Failing to read it is no reason
// to refuse the caller: the default language serves.
func (h *Handler) setLanguage(s *session) {
	lang, err := h.b.Language(s.ctx, s.msisdn)
	if err != nil {
		h.logError(s, fmt.Errorf("language: %w", err))
	}
	if lang == langEN || lang == langSW {
		s.lang = lang
	}
	s.t = textsFor(s.lang)
}

func (h *Handler) logError(s *session, err error) {
	h.opts.Logger.LogAttrs(s.ctx, slog.LevelError, "ussd backend error",
		slog.String("session", s.id),
		slog.String("phone", phone.Mask(s.msisdn)),
		slog.String("text", s.raw),
		slog.String("err", err.Error()))
}
