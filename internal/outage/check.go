package outage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
)

// checkWindow is how long after a restoration notice its "reply 1" is
// still taken as an answer to it.
const checkWindow = 24 * time.Hour

// Check answers the question a restoration notice asks ("reply 1 if you
// still have no power"). A phone may have been asked a survey question
// too: a digit answers whichever it was asked last.
type Check struct {
	DB       *store.DB
	Desk     *care.Desk // opens the ticket of a home still dark
	Grouping Grouping
}

// Reply takes msg from msisdn as the answer to the restoration check
// waiting on it. ok is false when none waits, or the phone's newest
// question is a survey's: the text is then for the survey, tickets and
// keywords. A "1" files a "no power" report on the phone's meter there
// (several of them find the nested outage: a transformer left off when
// its feeder came back) and opens a ticket, whose acknowledgement the
// desk sends; repeats are told it is known.
func (c *Check) Reply(ctx context.Context, msisdn, msg string) (reply, lang string, ok bool, err error) {
	if strings.TrimSpace(msg) != "1" {
		return "", "", false, nil
	}
	var askedAt, surveyAt int64
	var outageID string
	err = c.DB.Read().QueryRowContext(ctx, `SELECT n.created_at, e.outage_id FROM outage_notices n JOIN outage_events e ON e.id = n.event_id
		WHERE n.msisdn = $1 AND e.kind = 'restored' AND n.created_at > $2 ORDER BY n.created_at DESC LIMIT 1`,
		msisdn, store.Micros(c.DB.Now().Add(-checkWindow))).Scan(&askedAt, &outageID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("restoration check: %w", err)
	}
	// The survey's own table says when it asked this phone last.
	if err := c.DB.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(asked_at), 0) FROM surveys WHERE msisdn = $1`, msisdn).Scan(&surveyAt); err != nil {
		return "", "", false, fmt.Errorf("restoration check: last survey: %w", err)
	}
	if surveyAt > askedAt {
		return "", "", false, nil
	}
	o, err := Get(ctx, c.DB, outageID)
	if err != nil {
		return "", "", false, fmt.Errorf("restoration check: %w", err)
	}
	lang = "en"
	drn, l, err := phoneMeter(ctx, c.DB, msisdn, o)
	if err != nil {
		return "", "", false, fmt.Errorf("restoration check: %w", err)
	}
	if l == "sw" {
		lang = "sw"
	}
	if drn == "" {
		// A subscriber without a meter there: nothing to open a ticket on.
		return text(lang, "still_off_known"), lang, true, nil
	}
	var again int
	if err := c.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM outage_reports WHERE msisdn = $1 AND created_at >= $2`, msisdn, askedAt).Scan(&again); err != nil {
		return "", "", false, fmt.Errorf("restoration check: %w", err)
	}
	if again > 0 {
		return text(lang, "still_off_known"), lang, true, nil
	}
	if _, err := ReportNoPower(ctx, c.DB, c.Grouping, msisdn, drn, "sms"); err != nil {
		return "", "", false, err
	}
	if c.Desk == nil {
		return text(lang, "still_off_known"), lang, true, nil
	}
	_, _, err = c.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: msisdn, MeterDRN: drn, Category: care.CategoryOutage,
		Note: fmt.Sprintf("Still no power after the restoration of the outage on %s %s (%s).", o.Level, o.Place, o.Area)})
	if errors.Is(err, care.ErrTooMany) {
		return text(lang, "still_off_known"), lang, true, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("restoration check: %w", err)
	}
	return "", lang, true, nil // the desk's acknowledgement is the answer
}

// phoneMeter is the phone's meter that the outage reached, and its
// customer's language; "" when the phone has none there.
func phoneMeter(ctx context.Context, db *store.DB, msisdn string, o Outage) (string, string, error) {
	col, err := column(o.Level)
	if err != nil {
		return "", "", err
	}
	var drn, lang string
	err = db.Read().QueryRowContext(ctx, `SELECT m.drn, c.language FROM meters m JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id
		WHERE p.msisdn = $1 AND m.`+col+` = $2 ORDER BY m.drn LIMIT 1`, msisdn, o.Place).Scan(&drn, &lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return drn, lang, err
}
