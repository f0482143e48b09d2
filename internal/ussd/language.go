package ussd

import (
	"context"
	"fmt"
)

// languageMenu sets the caller's language for USSD and, through the
// backend, for their SMS.
type languageMenu struct{}

func (languageMenu) render(s *session, hint string) screen {
	return con(withHint(hint, chooseLanguage, s.t.BackHome)...)
}

func (languageMenu) next(s *session, in string, last bool) (step, error) {
	lang := ""
	switch in {
	case "1":
		lang = langEN
	case "2":
		lang = langSW
	default:
		return stay(s.t.InvalidChoice), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		if err := s.h.b.SetLanguage(ctx, s.msisdn, lang); err != nil {
			return "", fmt.Errorf("set language %s: %w", lang, err)
		}
		// The rest of the session, the feedback question included, speaks
		// the language just chosen.
		s.lang, s.t = lang, textsFor(lang)
		return s.t.LanguageSet, nil
	})
}
