package isp

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
)

// Subscriber is an ISP's customer. The username is what they type as the
// M-Pesa account number and what their router or the captive page sends
// as User-Name; the phones receive their messages and identify them on
// SMS and USSD.
type Subscriber struct {
	ID        string
	Username  string
	Name      string
	Language  string // en or sw
	Phones    []string
	Balance   money.Amount // the wallet
	CreatedAt time.Time
}

// Up to 20 characters: what M-Pesa takes as an account number.
var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,19}$`)

// NormalizeUsername lower-cases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return fmt.Errorf("%q: %w", store.Truncate(u, 40), ErrUsername)
	}
	// A payment's account may name a phone instead of a username, and a
	// captive-page login a voucher: a username like either would be
	// ambiguous.
	if _, err := phone.Normalize(u); err == nil || isVoucherCode(u) {
		return fmt.Errorf("%q: %w", u, ErrUsername)
	}
	return nil
}

func checkPassword(p string) error {
	if len(p) < 4 || len(p) > 64 {
		return ErrPassword
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return ErrPassword
		}
	}
	return nil
}

// NewPassword makes a password of 8 letters and digits that cannot be
// misread (no 0/O, 1/l/I).
func NewPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// CreateSubscriber adds a subscriber with password (a new one is made when
// it is ""), and returns the subscriber and the password to give them.
func (s *Service) CreateSubscriber(ctx context.Context, sub Subscriber, password string) (Subscriber, string, error) {
	sub, err := inTx(ctx, s.DB, func(tx *store.Tx) (Subscriber, error) {
		var err error
		sub, password, err = s.createSubscriber(tx, sub, password)
		return sub, err
	})
	return sub, password, err
}

func (s *Service) createSubscriber(tx *store.Tx, sub Subscriber, password string) (Subscriber, string, error) {
	sub.Username = NormalizeUsername(sub.Username)
	if err := checkUsername(sub.Username); err != nil {
		return Subscriber{}, "", err
	}
	return s.insertSubscriber(tx, sub, password)
}

// insertSubscriber stores a subscriber whose username is already checked
// (a voucher's code is one, though it is all digits).
func (s *Service) insertSubscriber(tx *store.Tx, sub Subscriber, password string) (Subscriber, string, error) {
	if password == "" {
		password = NewPassword()
	}
	if err := checkPassword(password); err != nil {
		return Subscriber{}, "", err
	}
	switch sub.Language {
	case "":
		sub.Language = "en"
	case "en", "sw":
	default:
		return Subscriber{}, "", fmt.Errorf("language %q: en or sw", store.Truncate(sub.Language, 10))
	}
	if len(sub.Name) > 100 {
		return Subscriber{}, "", fmt.Errorf("a name is at most 100 characters")
	}
	phones := make([]string, 0, len(sub.Phones))
	for _, p := range sub.Phones {
		n, err := phone.Normalize(p)
		if err != nil {
			return Subscriber{}, "", err
		}
		phones = append(phones, n)
	}
	sub.Phones = phones
	sub.ID = uuid.Must(uuid.NewV7()).String()
	sub.CreatedAt, sub.Balance = tx.Now, 0
	sealed, err := s.seal.Seal(password, sub.ID)
	if err != nil {
		return Subscriber{}, "", err
	}
	var taken int
	if err := tx.QueryRow(`SELECT count(*) FROM isp_subscribers WHERE username = $1`, sub.Username).Scan(&taken); err != nil {
		return Subscriber{}, "", err
	}
	if taken > 0 {
		return Subscriber{}, "", fmt.Errorf("%q: %w", sub.Username, ErrTaken)
	}
	if _, err := tx.Exec(`INSERT INTO isp_subscribers (id, username, password_sealed, name, language, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		sub.ID, sub.Username, sealed, sub.Name, sub.Language, store.Micros(tx.Now)); err != nil {
		if store.IsUniqueViolation(err) {
			return Subscriber{}, "", fmt.Errorf("%q: %w", sub.Username, ErrTaken)
		}
		return Subscriber{}, "", fmt.Errorf("create subscriber %q: %w", sub.Username, err)
	}
	for _, p := range sub.Phones {
		if _, err := tx.Exec(`INSERT INTO isp_subscriber_phones (subscriber_id, msisdn) VALUES ($1, $2) ON CONFLICT DO NOTHING`, sub.ID, p); err != nil {
			return Subscriber{}, "", fmt.Errorf("create subscriber %q: phone: %w", sub.Username, err)
		}
	}
	return sub, password, nil
}

// SetPassword changes a subscriber's password; by names who did it.
func (s *Service) SetPassword(ctx context.Context, id, password, by string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	sealed, err := s.seal.Seal(password, id)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE isp_subscribers SET password_sealed = $2, updated_at = $3 WHERE id = $1`, id, sealed, store.Micros(tx.Now))
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return store.NotFound(sql.ErrNoRows, "subscriber "+id)
		}
		return payment.Audit(tx, by, "isp.password", id, "")
	})
}

const subscriberColumns = `id, username, name, language, balance, created_at`

func scanSubscriber(sc interface{ Scan(...any) error }) (Subscriber, error) {
	var u Subscriber
	var bal, created int64
	err := sc.Scan(&u.ID, &u.Username, &u.Name, &u.Language, &bal, &created)
	u.Balance, u.CreatedAt = money.Amount(bal), store.Time(created)
	return u, err
}

// Subscriber returns one subscriber by id, with their phones.
func (s *Service) Subscriber(ctx context.Context, id string) (Subscriber, error) {
	return getSubscriber(ctx, s.DB.Read(), `id = $1`, id)
}

// ByUsername returns one subscriber by username (as typed).
func (s *Service) ByUsername(ctx context.Context, username string) (Subscriber, error) {
	return getSubscriber(ctx, s.DB.Read(), `username = $1`, NormalizeUsername(username))
}

func getSubscriber(ctx context.Context, q querier, where string, arg any) (Subscriber, error) {
	u, err := scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM isp_subscribers WHERE `+where, arg))
	if err != nil {
		return Subscriber{}, store.NotFound(err, fmt.Sprintf("subscriber %v", arg))
	}
	u.Phones, err = store.Strings(ctx, q, `SELECT msisdn FROM isp_subscriber_phones WHERE subscriber_id = $1 ORDER BY msisdn`, u.ID)
	return u, err
}

// ByPhone returns the subscribers a phone is registered to.
func (s *Service) ByPhone(ctx context.Context, msisdn string) ([]Subscriber, error) {
	return byPhone(ctx, s.DB.Read(), msisdn)
}

func byPhone(ctx context.Context, q querier, msisdn string) ([]Subscriber, error) {
	ids, err := store.Strings(ctx, q, `SELECT subscriber_id FROM isp_subscriber_phones WHERE msisdn = $1 ORDER BY subscriber_id LIMIT 10`, msisdn)
	if err != nil {
		return nil, fmt.Errorf("subscribers of a phone: %w", err)
	}
	out := make([]Subscriber, 0, len(ids))
	for _, id := range ids {
		u, err := getSubscriber(ctx, q, `id = $1`, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
