package customer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// Meter states. Payments for a meter that is not active go to suspense
// (M-Pesa's validation refuses them where it asks), and nothing is vended
// for it.
const (
	MeterActive   = "active"
	MeterBlocked  = "blocked"
	MeterInactive = "inactive" // deactivated by staff; reactivated the same way
	MeterRetired  = "retired"  // swapped for another meter (ReplacedBy), for good
)

// Meter is a prepaid meter and the key parameters its tokens need.
type Meter struct {
	DRN        string
	CustomerID string
	SGC        string // supply group code, 6 digits
	TI         int    // tariff index
	KRN        int    // key revision number
	KT         int    // key type
	KEN        int    // key expiry number, 255 = none
	BaseDate   int    // 1993, 2014 or 2035
	Algorithm  string // EA07 or EA11
	DKGA       string // 02 or 04
	TariffID   string
	Debt       money.Amount // arrears to recover from purchases
	LastTID    int64        // the newest TID issued: the next must be greater
	Status     string
	Area       string
	// Feeder and Transformer are the meter's place in the network below
	// its area, where outages are declared; "" when not known.
	Feeder      string
	Transformer string
	PendingKey  string // JSON PendingKey, or ""
	Month       string // "2026-11": the month MonthWh counts
	MonthWh     int64  // energy bought this month, for block tariffs
	ReplacedBy  string // the meter that took a retired one's place
}

// PendingKey is a key change that rides along with the next credit token.
// SGC and DKGA are "" when they stay as they are (key changes queued
// before they could change carry neither).
type PendingKey struct {
	SGC      string `json:"sgc,omitempty"`
	TI       int    `json:"ti"`
	KRN      int    `json:"krn"`
	KT       int    `json:"kt"`
	KEN      int    `json:"ken"`
	BaseDate int    `json:"base_date"`
	DKGA     string `json:"dkga,omitempty"`
	Rollover bool   `json:"rollover"`
}

// Apply returns m with the key parameters of the change: the meter as it
// will be once the key change tokens are entered.
func (p PendingKey) Apply(m Meter) Meter {
	m.TI, m.KRN, m.KT, m.KEN, m.BaseDate = p.TI, p.KRN, p.KT, p.KEN, p.BaseDate
	if p.SGC != "" {
		m.SGC = p.SGC
	}
	if p.DKGA != "" {
		m.DKGA = p.DKGA
	}
	return m
}

// STS returns the meter's key parameters as the token engine takes them.
func (m Meter) STS() (sts.Meter, error) {
	drn, err := sts.ParseDRN(m.DRN)
	if err != nil {
		return sts.Meter{}, err
	}
	sgc, err := sts.ParseSGC(m.SGC)
	if err != nil || len(m.SGC) != 6 {
		return sts.Meter{}, fmt.Errorf("meter %s: supply group code %q: want 6 digits", m.DRN, m.SGC)
	}
	bd, err := sts.ParseBaseDate(fmt.Sprint(m.BaseDate))
	if err != nil {
		return sts.Meter{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	alg, err := sts.ParseAlgorithm(m.Algorithm)
	if err != nil {
		return sts.Meter{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	dkga, err := sts.ParseDKGA(m.DKGA)
	if err != nil {
		return sts.Meter{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	sm := sts.Meter{DRN: drn, SGC: sgc, TI: uint8(m.TI), KRN: uint8(m.KRN), KT: uint8(m.KT), KEN: uint8(m.KEN),
		BaseDate: bd, Algorithm: alg, DKGA: dkga}
	if m.TI < 0 || m.TI > 99 || m.KRN < 0 || m.KRN > 9 || m.KT < 0 || m.KT > 3 || m.KEN < 0 || m.KEN > 255 {
		return sts.Meter{}, fmt.Errorf("meter %s: key parameters out of range (ti %d, krn %d, kt %d, ken %d)", m.DRN, m.TI, m.KRN, m.KT, m.KEN)
	}
	return sm, sm.Validate()
}

// Pending decodes the pending key change, if any.
func (m Meter) Pending() (*PendingKey, error) {
	if m.PendingKey == "" {
		return nil, nil
	}
	var p PendingKey
	if err := json.Unmarshal([]byte(m.PendingKey), &p); err != nil {
		return nil, fmt.Errorf("meter %s: pending key change: %w", m.DRN, err)
	}
	return &p, nil
}

// NormalizeNumber turns what a customer typed as the account number
// ("545 0032 0905", "54500-320905") into the meter number's digits.
func NormalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' || r == '.' || r == '/' || r == '_' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

const meterColumns = `drn, COALESCE(customer_id, ''), sgc, ti, krn, kt, ken, base_date, algorithm, dkga, tariff_id, debt, last_tid, status, area, pending_key, month, month_wh, replaced_by, feeder, transformer`

func scanMeter(sc interface{ Scan(...any) error }) (Meter, error) {
	var m Meter
	var debt int64
	err := sc.Scan(&m.DRN, &m.CustomerID, &m.SGC, &m.TI, &m.KRN, &m.KT, &m.KEN, &m.BaseDate, &m.Algorithm, &m.DKGA,
		&m.TariffID, &debt, &m.LastTID, &m.Status, &m.Area, &m.PendingKey, &m.Month, &m.MonthWh, &m.ReplacedBy, &m.Feeder, &m.Transformer)
	m.Debt = money.Amount(debt)
	return m, err
}

// GetMeter returns one meter.
func GetMeter(ctx context.Context, q Querier, drn string) (Meter, error) {
	m, err := scanMeter(q.QueryRowContext(ctx, `SELECT `+meterColumns+` FROM meters WHERE drn = $1`, drn))
	if err != nil {
		return Meter{}, store.NotFound(err, "meter "+drn)
	}
	return m, nil
}

// LockMeters reads the given meters in tx, locking them on PostgreSQL so
// that two nodes never issue TIDs for one meter at once. Missing meters are
// absent from the map.
func LockMeters(tx *store.Tx, drns []string) (map[string]*Meter, error) {
	out := make(map[string]*Meter, len(drns))
	if len(drns) == 0 {
		return out, nil
	}
	args := make([]any, len(drns))
	for i, d := range drns {
		args[i] = d
	}
	// ORDER BY drn: every node locks in the same order, so no deadlock.
	rows, err := tx.Query(`SELECT `+meterColumns+` FROM meters WHERE drn IN (`+store.Placeholders(1, len(drns))+`) ORDER BY drn `+tx.ForUpdate(), args...)
	if err != nil {
		return nil, fmt.Errorf("lock meters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMeter(rows)
		if err != nil {
			return nil, fmt.Errorf("lock meters: %w", err)
		}
		out[m.DRN] = &m
	}
	return out, rows.Err()
}

// SaveVendStates writes what vends change on meters (last TID, debt,
// month consumption, pending key change and the key parameters) with one
// statement per run of meters (UPDATE ... FROM VALUES, which both engines
// take; runs of power-of-two sizes, kept prepared), since a vend batch
// touches a meter per vend.
func SaveVendStates(tx *store.Tx, ms []*Meter) error {
	seen := map[string]bool{}
	uniq := ms[:0:0]
	for _, m := range ms {
		if !seen[m.DRN] {
			seen[m.DRN] = true
			uniq = append(uniq, m)
		}
	}
	for _, n := range store.Runs(len(uniq), 128) {
		chunk := uniq[:n]
		uniq = uniq[n:]
		var b strings.Builder
		b.WriteString(`UPDATE meters SET updated_at = $1, last_tid = v.column2, debt = v.column3, month = v.column4, month_wh = v.column5,
			pending_key = v.column6, krn = v.column7, ti = v.column8, kt = v.column9, ken = v.column10, base_date = v.column11,
			sgc = v.column12, dkga = v.column13 FROM (VALUES `)
		args := []any{store.Micros(tx.Now)}
		for i, m := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args) + 1
			fmt.Fprintf(&b, "(CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS BIGINT), CAST($%d AS TEXT), CAST($%d AS INTEGER), CAST($%d AS INTEGER), CAST($%d AS INTEGER), CAST($%d AS INTEGER), CAST($%d AS INTEGER), CAST($%d AS TEXT), CAST($%d AS TEXT))",
				n, n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12)
			args = append(args, m.DRN, m.LastTID, int64(m.Debt), m.Month, m.MonthWh, m.PendingKey, m.KRN, m.TI, m.KT, m.KEN, m.BaseDate, m.SGC, m.DKGA)
		}
		b.WriteString(`) AS v WHERE meters.drn = v.column1`)
		if _, err := tx.ExecPrepared(b.String(), args...); err != nil {
			return fmt.Errorf("save meters after vend: %w", err)
		}
	}
	return nil
}

// CreateMeter writes m in tx.
func CreateMeter(tx *store.Tx, m *Meter) error {
	if m.Status == "" {
		m.Status = MeterActive
	}
	var cust any
	if m.CustomerID != "" {
		cust = m.CustomerID
	}
	now := store.Micros(tx.Now)
	_, err := tx.Exec(`INSERT INTO meters (drn, customer_id, sgc, ti, krn, kt, ken, base_date, algorithm, dkga, tariff_id, debt, last_tid, status, area, pending_key, created_at, updated_at, feeder, transformer)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19)`,
		m.DRN, cust, m.SGC, m.TI, m.KRN, m.KT, m.KEN, m.BaseDate, m.Algorithm, m.DKGA, m.TariffID, int64(m.Debt), m.LastTID, m.Status, m.Area, m.PendingKey, now, m.Feeder, m.Transformer)
	if err != nil {
		return fmt.Errorf("create meter %s: %w", m.DRN, err)
	}
	// Arrears the meter arrives with are owed to the utility from now on:
	// the books must hold them, or recovering them would drive debt
	// receivable below what the meters owe.
	if m.Debt > 0 {
		if err := ledger.Post(tx, ledger.Transfer("opening_debt:"+m.DRN, "opening_debt", m.DRN, ledger.DebtReceivable, ledger.OpeningBalances, m.Debt)); err != nil {
			return fmt.Errorf("create meter %s: %w", m.DRN, err)
		}
	}
	return nil
}

// MetersForPhone returns the meters of every customer registered with msisdn.
func MetersForPhone(ctx context.Context, q Querier, msisdn string) ([]Meter, error) {
	ms, err := meters(ctx, q, `WHERE customer_id IN (SELECT customer_id FROM customer_phones WHERE msisdn = $1) ORDER BY drn`, msisdn)
	if err != nil {
		return nil, fmt.Errorf("meters for phone: %w", err)
	}
	return ms, nil
}

func meters(ctx context.Context, q Querier, where string, args ...any) ([]Meter, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+meterColumns+` FROM meters `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Meter
	for rows.Next() {
		m, err := scanMeter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PhonesForMeters returns the registered phones (and their customer's
// language) of each meter's owner.
func PhonesForMeters(tx *store.Tx, drns []string) (map[string][]Recipient, error) {
	out := map[string][]Recipient{}
	if len(drns) == 0 {
		return out, nil
	}
	args := make([]any, len(drns))
	for i, d := range drns {
		args[i] = d
	}
	rows, err := tx.Query(`SELECT m.drn, p.msisdn, c.language FROM meters m JOIN customers c ON c.id = m.customer_id JOIN customer_phones p ON p.customer_id = c.id WHERE m.drn IN (`+store.Placeholders(1, len(drns))+`) ORDER BY m.drn, p.msisdn`, args...)
	if err != nil {
		return nil, fmt.Errorf("phones for meters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var drn string
		var r Recipient
		if err := rows.Scan(&drn, &r.MSISDN, &r.Language); err != nil {
			return nil, err
		}
		out[drn] = append(out[drn], r)
	}
	return out, rows.Err()
}

// Recipient is a phone to send a meter's messages to.
type Recipient struct {
	MSISDN   string
	Language string
}

// OwnerName returns the meter owner's name, "" when none.
func OwnerName(ctx context.Context, q Querier, drn string) (string, error) {
	var name sql.NullString
	err := q.QueryRowContext(ctx, `SELECT c.name FROM meters m LEFT JOIN customers c ON c.id = m.customer_id WHERE m.drn = $1`, drn).Scan(&name)
	if err != nil {
		return "", store.NotFound(err, "meter "+drn)
	}
	return name.String, nil
}

// MaskName shows a name as staff-safe initials: "John Doe" -> "J*** D**".
func MaskName(name string) string {
	parts := strings.Fields(name)
	for i, p := range parts {
		r := []rune(p)
		parts[i] = string(r[0]) + strings.Repeat("*", len(r)-1)
	}
	return strings.Join(parts, " ")
}

// IsPhoneOf reports whether msisdn is a registered phone of meter drn's
// customer.
func IsPhoneOf(ctx context.Context, q Querier, msisdn, drn string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM meters m JOIN customer_phones p ON p.customer_id = m.customer_id WHERE m.drn = $1 AND p.msisdn = $2`,
		drn, msisdn).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("phones of meter %s: %w", drn, err)
	}
	return n > 0, nil
}

// OtherMeters bounds how many meters that are not its own one phone may
// look up on USSD and SMS: each distinct meter number counts once an hour,
// found or not, so that the menus cannot be used to learn which meter
// numbers are served.
var OtherMeters = quota.Rule{Name: "meter.other", Max: 10, Per: time.Hour}

// Lookup finds meter drn as msisdn typed it, and whether it is one of
// msisdn's own. A number that is not the phone's own counts against
// OtherMeters before anything about it is read; over the limit, Lookup
// returns *quota.Exceeded. A meter that does not exist wraps
// store.ErrNotFound.
func Lookup(ctx context.Context, db *store.DB, msisdn, drn string) (m Meter, own bool, err error) {
	drn = NormalizeNumber(drn)
	if own, err = IsPhoneOf(ctx, db.Read(), msisdn, drn); err != nil {
		return Meter{}, false, err
	}
	if !own {
		if err := quota.Take(ctx, db, OtherMeters.Of(msisdn).For(drn)); err != nil {
			return Meter{}, false, err
		}
	}
	m, err = GetMeter(ctx, db.Read(), drn)
	return m, own, err
}

// MetersOf returns a customer's meters by number.
func MetersOf(ctx context.Context, q Querier, customerID string) ([]Meter, error) {
	ms, err := meters(ctx, q, `WHERE customer_id = $1 ORDER BY drn`, customerID)
	if err != nil {
		return nil, fmt.Errorf("meters of customer %s: %w", customerID, err)
	}
	return ms, nil
}
