package agent

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// Registering a customer's phone for a meter: the agent asks for a code to
// be sent to that phone, the customer reads it out, the agent types it, and
// only then is the phone added. So an agent cannot turn a meter's tokens to
// a phone its owner does not hold.
const (
	phoneCodeTTL      = 10 * time.Minute
	phoneCodeAttempts = 5
)

// PhoneCodesPerUser bounds the codes one agent user may have sent.
var PhoneCodesPerUser = quota.Rule{Name: "agent.phone_code", Max: 20, Per: time.Hour}

// phoneCodeSMS is the code's message, in the customer's language.
var phoneCodeSMS = map[string]string{
	"en": "%s: agent %s is adding this phone to meter %s. Code %s. Give it to the agent only if you asked for this.",
	"sw": "%s: wakala %s anaongeza simu hii kwa mita %s. Nambari %s. Mpe wakala tu kama uliomba hivi.",
}

func hashPhoneCode(id, code string) string {
	sum := sha256.Sum256([]byte(id + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// RequestPhoneCode sends a confirmation code to rawPhone, for the user to
// add it to meter drn once the customer reads the code out. utility names
// the sender in the message.
func (s *Service) RequestPhoneCode(ctx context.Context, userID, drn, rawPhone, utility string) (string, error) {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return "", invalid("phone: %v", err)
	}
	drn = customer.NormalizeNumber(drn)
	code, err := NewPIN()
	if err != nil {
		return "", err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		m, err := customer.GetMeter(ctx, tx, drn)
		if errors.Is(err, store.ErrNotFound) || err == nil && (m.Status != customer.MeterActive || m.CustomerID == "") {
			return fmt.Errorf("meter %s: %w", drn, ErrMeter)
		}
		if err != nil {
			return err
		}
		if err := quota.TakeTx(tx, PhoneCodesPerUser.Of(userID)); err != nil {
			return err
		}
		lang, err := customer.LanguageOf(ctx, tx, msisdn)
		if err != nil || phoneCodeSMS[lang] == "" {
			lang = "en"
		}
		id := newID()
		if _, err := tx.Exec(`INSERT INTO agent_phone_codes (id, user_id, meter_drn, msisdn, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, u.ID, drn, msisdn, hashPhoneCode(id, code), store.Micros(tx.Now), store.Micros(tx.Now.Add(phoneCodeTTL))); err != nil {
			return fmt.Errorf("phone code: %w", err)
		}
		body := fmt.Sprintf(phoneCodeSMS[lang], utility, u.Name, drn, code)
		if err := notify.Enqueue(tx, notify.Message{Recipient: msisdn, Lane: notify.LaneOTP, Template: "agent_phone_code", Language: lang, Body: body, Ref: id}); err != nil {
			return err
		}
		return audit(tx, u, "agent.phone_code", "meter:"+drn, "code sent to "+phone.Mask(msisdn))
	})
	if err != nil {
		return "", err
	}
	if s.OnMessages != nil {
		s.OnMessages()
	}
	return msisdn, nil
}

// ConfirmPhone adds rawPhone to the customer of meter drn when code is the
// one sent to it for this user and meter, live and not used. Wrong codes
// count against every live code of the request, which dies after
// phoneCodeAttempts of them (ErrCodeWrong).
func (s *Service) ConfirmPhone(ctx context.Context, userID, drn, rawPhone, code string) error {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return invalid("phone: %v", err)
	}
	drn = customer.NormalizeNumber(drn)
	code = strings.TrimSpace(code)
	var verdict error
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		verdict = nil
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT id, code_hash FROM agent_phone_codes WHERE user_id = $1 AND meter_drn = $2 AND msisdn = $3
			AND used_at IS NULL AND expires_at > $4 AND attempts < $5 ORDER BY created_at DESC LIMIT 5`,
			u.ID, drn, msisdn, store.Micros(tx.Now), phoneCodeAttempts)
		if err != nil {
			return fmt.Errorf("phone code: %w", err)
		}
		var ids []string
		match := ""
		for rows.Next() {
			var id, hash string
			if err := rows.Scan(&id, &hash); err != nil {
				rows.Close()
				return fmt.Errorf("phone code: %w", err)
			}
			ids = append(ids, id)
			if subtle.ConstantTimeCompare([]byte(hashPhoneCode(id, code)), []byte(hash)) == 1 {
				match = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("phone code: %w", err)
		}
		if match == "" {
			verdict = ErrCodeWrong
			for _, id := range ids {
				if _, err := tx.Exec(`UPDATE agent_phone_codes SET attempts = attempts + 1 WHERE id = $1`, id); err != nil {
					return fmt.Errorf("phone code: %w", err)
				}
			}
			return audit(tx, u, "agent.phone_confirm", "meter:"+drn, "wrong code for "+phone.Mask(msisdn))
		}
		if _, err := tx.Exec(`UPDATE agent_phone_codes SET used_at = $2 WHERE id = $1`, match, store.Micros(tx.Now)); err != nil {
			return fmt.Errorf("phone code: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if verdict != nil {
		return verdict
	}
	// The registry records the change (meter.edit) under the agent.
	reg := &customer.Registry{DB: s.DB, Audit: payment.Audit}
	if _, err := reg.Edit(ctx, Actor(userID), drn, customer.Edit{AddPhones: []string{msisdn}}); err != nil {
		return fmt.Errorf("add phone to meter %s: %w", drn, err)
	}
	return nil
}
