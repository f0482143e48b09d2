package login

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// KindAssisted is a session a hub attendant holds for a walk-in customer,
// after the customer read out a consent code sent to their phone. It is
// short, names the attendant and the hub, and is good only beside that
// attendant's own staff session (AuthenticateAssisted); Authenticate, which
// the app API and the portal's own logins use, refuses it.
const KindAssisted = "assisted"

// AssistedTTL is how long an assisted session lasts unless the attendant
// ends it first: long enough to serve one customer at a counter.
const AssistedTTL = 30 * time.Minute

// An attendant asks for consent codes and types them from the hub's
// counter: beside the phone's and the address's limits (a hub's attendants
// may share one address), each attendant may ask for 30 codes an hour and
// type 60, so one who goes fishing among phones is stopped soon.
const (
	ruleConsentAsk   = "consent.staff"
	ruleConsentCheck = "consent.staff.verify"
)

// ErrAssistOff is returned when a consent code is asked for by no one.
var ErrAssistOff = errors.New("an assisted session needs a staff user and a hub")

// RequestConsent sends a consent code by SMS to rawPhone, on the login
// codes' lane and under their limits (the phone's budget is shared with
// its own logins, so no one can flood a phone through a hub), at the
// attendant's request (staffID, username by, at hub). As with RequestCode,
// a number nobody registered gets the same answer and no SMS.
func (s *Service) RequestConsent(ctx context.Context, rawPhone, ip, staffID, by, hub string) (string, error) {
	if staffID == "" || by == "" || hub == "" {
		return "", ErrAssistOff
	}
	return s.requestCode(ctx, codeRequest{
		purpose: purposeConsent, template: "consent",
		data: map[string]any{"Staff": by, "Hub": hub},
		keys: []quota.Key{quota.Rule{Name: ruleConsentAsk, Max: 30, Per: time.Hour}.Of(staffID)},
	}, rawPhone, ip)
}

// VerifyConsent checks a consent code typed by the attendant staffID of
// hubID and, when it is right, opens an assisted session for the phone.
// Its answers and limits are Verify's (the code dies after five wrong
// guesses, the address types at most fifty an hour), and the attendant
// may type sixty an hour.
func (s *Service) VerifyConsent(ctx context.Context, rawPhone, code, ip, staffID, hubID string) (Session, string, error) {
	if staffID == "" || hubID == "" {
		return Session{}, "", ErrAssistOff
	}
	return s.verify(ctx, codeCheck{
		purpose: purposeConsent,
		keys:    []quota.Key{quota.Rule{Name: ruleConsentCheck, Max: 60, Per: time.Hour}.Of(staffID)},
		open: func(tx *store.Tx, msisdn string) (Session, string, error) {
			return createSession(tx, msisdn, KindAssisted, AssistedTTL, assistance{by: staffID, hub: hubID})
		},
	}, rawPhone, code, ip)
}

// EndAssisted revokes the assisted session holding token when staffID
// holds it; another's token, or no token, is no error and ends nothing.
func (s *Service) EndAssisted(ctx context.Context, token, staffID string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE login_sessions SET revoked_at = $2 WHERE token_hash = $1 AND kind = $3 AND assisted_by = $4 AND revoked_at IS NULL`,
			hashToken(token), store.Micros(tx.Now), KindAssisted, staffID)
		if err != nil {
			return fmt.Errorf("end assisted session: %w", err)
		}
		return nil
	})
}

// consentRule reports whether a limit is an attendant's own, so that a
// refusal names the staff user rather than the phone.
func consentRule(name string) bool { return name == ruleConsentAsk || name == ruleConsentCheck }

// Assistant names who holds an assisted session, for the banner on every
// page of it and for the audit log.
type Assistant struct {
	Username string // the attendant's staff username
	Name     string // their full name, for the banner
	Hub      string // the hub's name
}
