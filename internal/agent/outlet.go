package agent

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"math/big"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// Outlet is a shop that sells for the utility.
type Outlet struct {
	ID          string
	Code        string // the account reference of its top-ups is "AGENT"+Code
	Name        string
	Float       money.Amount // may be negative, down to -CreditLimit
	CreditLimit money.Amount
	Status      string
}

// Available is what the outlet may still sell.
func (o Outlet) Available() money.Amount { return o.Float + o.CreditLimit }

// Rule is a commission rule: for sales of TariffID ("" for any tariff
// without a rule of its own), a share in basis points of the amount
// (rounded down to the cent) plus a fixed amount per sale.
type Rule struct {
	TariffID string
	ShareBP  int64
	Fixed    money.Amount
}

// Commission is what a sale of amount earns under r.
func (r Rule) Commission(amount money.Amount) money.Amount {
	return money.Amount(int64(amount)*r.ShareBP/10000) + r.Fixed
}

const outletColumns = `id, code, name, float, credit_limit, status`

func scanOutlet(sc interface{ Scan(...any) error }) (Outlet, error) {
	var o Outlet
	var fl, cl int64
	err := sc.Scan(&o.ID, &o.Code, &o.Name, &fl, &cl, &o.Status)
	o.Float, o.CreditLimit = amountOf(fl), amountOf(cl)
	return o, err
}

// CreateOutlet stores a new outlet with no float, audited under by.
func (s *Service) CreateOutlet(ctx context.Context, by, code, name string, creditLimit money.Amount) (Outlet, error) {
	code, err := checkCode(code)
	if err != nil {
		return Outlet{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		return Outlet{}, invalid("outlet name must be 1 to 80 characters")
	}
	if creditLimit < 0 {
		return Outlet{}, invalid("credit limit may not be negative")
	}
	o := Outlet{ID: newID(), Code: code, Name: name, CreditLimit: creditLimit, Status: "active"}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO agent_outlets (id, code, name, credit_limit, created_at) VALUES ($1, $2, $3, $4, $5)`,
			o.ID, o.Code, o.Name, int64(creditLimit), store.Micros(tx.Now)); err != nil {
			if store.IsUniqueViolation(err) {
				return invalid("outlet code %s is taken", code)
			}
			return fmt.Errorf("create outlet: %w", err)
		}
		return staffAudit(tx, by, "agent.outlet_create", "outlet:"+o.Code, fmt.Sprintf("name %q, credit limit %s", name, creditLimit))
	})
	return o, err
}

// SetRule sets a commission rule of an outlet, audited under by.
func (s *Service) SetRule(ctx context.Context, by, outletID string, r Rule) error {
	if r.ShareBP < 0 || r.ShareBP > 10000 || r.Fixed < 0 {
		return invalid("commission share must be 0 to 10000 basis points and the fixed amount not negative")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO agent_commissions (outlet_id, tariff_id, share_bp, fixed) VALUES ($1, $2, $3, $4)
			ON CONFLICT (outlet_id, tariff_id) DO UPDATE SET share_bp = excluded.share_bp, fixed = excluded.fixed`,
			outletID, r.TariffID, r.ShareBP, int64(r.Fixed)); err != nil {
			return fmt.Errorf("set commission: %w", err)
		}
		return staffAudit(tx, by, "agent.commission_set", "outlet:"+outletID, fmt.Sprintf("tariff %q: %d bp + %s", r.TariffID, r.ShareBP, r.Fixed))
	})
}

// rule returns the commission rule for a sale of tariffID at an outlet:
// the tariff's own, else the outlet's default, else none.
func rule(tx *store.Tx, outletID, tariffID string) (Rule, error) {
	var r Rule
	var fixed int64
	err := tx.QueryRow(`SELECT tariff_id, share_bp, fixed FROM agent_commissions WHERE outlet_id = $1 AND tariff_id IN ($2, '')
		ORDER BY tariff_id DESC LIMIT 1`, outletID, tariffID).Scan(&r.TariffID, &r.ShareBP, &fixed)
	if err == sql.ErrNoRows {
		return Rule{}, nil
	}
	r.Fixed = amountOf(fixed)
	return r, err
}

// GetOutlet returns an outlet by id.
func GetOutlet(ctx context.Context, q Querier, id string) (Outlet, error) {
	o, err := scanOutlet(q.QueryRowContext(ctx, `SELECT `+outletColumns+` FROM agent_outlets WHERE id = $1`, id))
	return o, store.NotFound(err, "outlet "+id)
}

// Outlets lists every outlet by code.
func Outlets(ctx context.Context, q Querier) ([]Outlet, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+outletColumns+` FROM agent_outlets ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list outlets: %w", err)
	}
	defer rows.Close()
	var out []Outlet
	for rows.Next() {
		o, err := scanOutlet(rows)
		if err != nil {
			return nil, fmt.Errorf("list outlets: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// User is a person who sells at an outlet.
type User struct {
	ID       string
	OutletID string
	Name     string
	MSISDN   string
}

// CreateUser adds a user to an outlet with a PIN of 4 to 6 digits, audited
// under by.
func (s *Service) CreateUser(ctx context.Context, by, outletID, name, rawPhone, pin string) (User, error) {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return User{}, invalid("phone: %v", err)
	}
	if err := checkPIN(pin); err != nil {
		return User{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 80 {
		return User{}, invalid("user name must be 1 to 80 characters")
	}
	hash, err := staff.HashSecret(pin)
	if err != nil {
		return User{}, err
	}
	u := User{ID: newID(), OutletID: outletID, Name: name, MSISDN: msisdn}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`INSERT INTO agent_users (id, outlet_id, name, msisdn, pin_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			u.ID, outletID, name, msisdn, hash, store.Micros(tx.Now)); err != nil {
			if store.IsUniqueViolation(err) {
				return invalid("phone %s already belongs to an agent user", phone.Mask(msisdn))
			}
			return fmt.Errorf("create agent user: %w", err)
		}
		return staffAudit(tx, by, "agent.user_create", "agent:"+u.ID, fmt.Sprintf("outlet %s, phone %s", outletID, phone.Mask(msisdn)))
	})
	return u, err
}

func checkPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 6 {
		return invalid("PIN must be 4 to 6 digits")
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return invalid("PIN must be 4 to 6 digits")
		}
	}
	return nil
}

// staffAudit records a set-up action by staff (or the command line).
func staffAudit(tx *store.Tx, by, action, subject, detail string) error {
	return payment.Audit(tx, by, action, subject, detail)
}

// OutletByCode returns an outlet by its code, in any case.
func OutletByCode(ctx context.Context, q Querier, code string) (Outlet, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	o, err := scanOutlet(q.QueryRowContext(ctx, `SELECT `+outletColumns+` FROM agent_outlets WHERE code = $1`, code))
	return o, store.NotFound(err, "outlet "+code)
}

// NewPIN is a random PIN of six digits, for a user set up by staff, who
// tells it to the agent once.
func NewPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		return "", fmt.Errorf("new PIN: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// ResetPIN sets a user's PIN and lifts a lock-out, audited under by.
func (s *Service) ResetPIN(ctx context.Context, by, rawPhone, pin string) error {
	msisdn, err := phone.Normalize(rawPhone)
	if err != nil {
		return invalid("phone: %v", err)
	}
	if err := checkPIN(pin); err != nil {
		return err
	}
	hash, err := staff.HashSecret(pin)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var id string
		if err := tx.QueryRow(`SELECT id FROM agent_users WHERE msisdn = $1`, msisdn).Scan(&id); err != nil {
			return store.NotFound(err, "agent user "+phone.Mask(msisdn))
		}
		if _, err := tx.Exec(`UPDATE agent_users SET pin_hash = $2, failed = 0, locked_until = 0 WHERE id = $1`, id, hash); err != nil {
			return fmt.Errorf("reset PIN: %w", err)
		}
		return staffAudit(tx, by, "agent.pin_reset", "agent:"+id, "")
	})
}
