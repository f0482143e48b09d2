package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
)

// Ticket states. A ticket is new until someone works it, open while it is
// worked, pending_customer while waiting on an answer from the customer
// (whose next SMS reopens it), then resolved and finally closed.
const (
	StateNew             = "new"
	StateOpen            = "open"
	StatePendingCustomer = "pending_customer"
	StateResolved        = "resolved"
	StateClosed          = "closed"
)

// States lists the ticket states in the order a ticket passes them.
var States = []string{StateNew, StateOpen, StatePendingCustomer, StateResolved, StateClosed}

// Active reports whether a ticket in state s still waits for an answer.
func Active(s string) bool {
	return s == StateNew || s == StateOpen || s == StatePendingCustomer
}

// Channels a ticket can come in by.
const (
	ChannelUSSD    = "ussd"
	ChannelSMS     = "sms"
	ChannelPortal  = "portal"
	ChannelApp     = "app"
	ChannelConsole = "console"
	ChannelAgent   = "agent"
	// ChannelUnknown is the channel of faults reported before tickets
	// knew theirs.
	ChannelUnknown = "unknown"
)

// Channels lists the intake channels, for the reports.
var Channels = []string{ChannelUSSD, ChannelSMS, ChannelPortal, ChannelApp, ChannelConsole, ChannelAgent}

// Ticket is one case a customer raised, keyed on their phone and their
// meter or (for an ISP) account.
type Ticket struct {
	ID        string
	Ref       string // what the customer quotes: "F-7K2Q9"
	MSISDN    string
	MeterDRN  string
	Account   string // an ISP username, "" for a meter
	Category  string
	Channel   string
	Language  string // the customer's, for every message to them
	Priority  string
	Team      string
	Assignee  string // a staff actor, "" while unassigned
	State     string
	Note      string // what the customer said when opening it
	CreatedBy string // the staff member who opened it for the customer

	CreatedAt, UpdatedAt                  time.Time
	FirstResponseAt, ResolvedAt, ClosedAt time.Time // zero until they happen
}

// Request is what opening a ticket needs.
type Request struct {
	Channel  string
	MSISDN   string // the customer's phone, "" when none (a walk-in)
	MeterDRN string
	Account  string
	Category string
	Note     string
	By       string // the staff member or agent opening it, "" for the customer
}

const ticketColumns = `id, ref, msisdn, meter_drn, account, category, channel, language, priority, team, assignee, state, note, created_by, created_at, updated_at, first_response_at, resolved_at, closed_at`

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var created, updated int64
	var first, resolved, closed sql.NullInt64
	err := sc.Scan(&t.ID, &t.Ref, &t.MSISDN, &t.MeterDRN, &t.Account, &t.Category, &t.Channel, &t.Language, &t.Priority, &t.Team,
		&t.Assignee, &t.State, &t.Note, &t.CreatedBy, &created, &updated, &first, &resolved, &closed)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt = store.NullTime(first), store.NullTime(resolved), store.NullTime(closed)
	return t, err
}

// Querier reads through the read pool or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// GetTicket returns a ticket by id or reference; an unknown one is
// store.ErrNotFound.
func GetTicket(ctx context.Context, q Querier, idOrRef string) (Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE id = $1 OR ref = $2`, idOrRef, strings.ToUpper(idOrRef)))
	if err != nil {
		return Ticket{}, store.NotFound(err, "ticket "+idOrRef)
	}
	return t, nil
}

func tickets(ctx context.Context, q Querier, where string, args ...any) ([]Ticket, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+ticketColumns+` FROM tickets `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	defer rows.Close()
	var out []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Filter picks tickets for a queue; empty fields pick all.
type Filter struct {
	State    string // a state, or "active" for new, open and pending_customer
	Team     string
	Category string
	Assignee string
	MSISDN   string
	Limit    int // default 100
}

// Tickets returns the tickets f picks: active ones oldest first (the order
// a queue is worked in), otherwise newest first.
func Tickets(ctx context.Context, q Querier, f Filter) ([]Ticket, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	order := "created_at DESC"
	switch f.State {
	case "":
	case "active":
		conds = append(conds, `state IN ('new', 'open', 'pending_customer')`)
		order = "created_at"
	default:
		add("state = $%d", f.State)
		if Active(f.State) {
			order = "created_at"
		}
	}
	if f.Team != "" {
		add("team = $%d", f.Team)
	}
	if f.Category != "" {
		add("category = $%d", f.Category)
	}
	if f.Assignee != "" {
		add("assignee = $%d", f.Assignee)
	}
	if f.MSISDN != "" {
		add("msisdn = $%d", f.MSISDN)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	args = append(args, f.Limit)
	return tickets(ctx, q, fmt.Sprintf("%s ORDER BY %s, id LIMIT $%d", where, order, len(args)), args...)
}

// Counts returns how many tickets each team has in each active state, for
// the queue's tabs: counts[team][state].
func Counts(ctx context.Context, q Querier) (map[string]map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT team, state, count(*) FROM tickets WHERE state IN ('new', 'open', 'pending_customer') GROUP BY team, state`)
	if err != nil {
		return nil, fmt.Errorf("ticket counts: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var team, state string
		var n int
		if err := rows.Scan(&team, &state, &n); err != nil {
			return nil, err
		}
		if out[team] == nil {
			out[team] = map[string]int{}
		}
		out[team][state] = n
	}
	return out, rows.Err()
}

// TicketsFor returns the newest tickets of any of the phones or about any
// of the meters.
func TicketsFor(ctx context.Context, q Querier, phones, meters []string, limit int) ([]Ticket, error) {
	var args []any
	pIn, mIn := store.In(&args, phones), store.In(&args, meters)
	args = append(args, limit)
	return tickets(ctx, q, `WHERE msisdn IN (`+pIn+`) OR meter_drn IN (`+mIn+`) ORDER BY created_at DESC LIMIT $`+fmt.Sprint(len(args)), args...)
}

// openTicket records a ticket in tx, or returns the one the same phone
// opened about the same meter or account and category in the last 10
// minutes (a resent USSD request or an impatient customer); repeat says
// which.
//
// A customer's own phone (no r.By) opening its limit'th ticket in 24 hours
// is refused with ErrTooMany; limit 0 bounds nothing.
func (d *Desk) openTicket(ctx context.Context, tx *store.Tx, r Request, limit int) (t Ticket, repeat bool, err error) {
	cat, ok := d.category(r.Category)
	if !ok {
		return Ticket{}, false, &CategoryError{Name: r.Category, Want: d.categoryNames()}
	}
	r.Note = strings.TrimSpace(r.Note)
	if len(r.Note) > 500 {
		r.Note = store.Truncate(r.Note, 500)
	}
	if tx.Dialect == store.Postgres {
		// Two requests at once (USSD resent, SMS and USSD together) must
		// find each other: one waits for the other's commit. SQLite's one
		// writer does this already.
		if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "ticket:"+r.MSISDN+"|"+r.MeterDRN+"|"+r.Account); err != nil {
			return Ticket{}, false, err
		}
	}
	since := store.Micros(tx.Now.Add(-10 * time.Minute))
	t, err = scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE msisdn = $1 AND meter_drn = $2 AND account = $3 AND category = $4 AND created_at > $5 ORDER BY created_at LIMIT 1`,
		r.MSISDN, r.MeterDRN, r.Account, r.Category, since))
	if err == nil {
		return t, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, err
	}
	if limit > 0 && r.By == "" && r.MSISDN != "" {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM tickets WHERE msisdn = $1 AND created_by = '' AND created_at > $2`, r.MSISDN, store.Micros(tx.Now.Add(-24*time.Hour))).Scan(&n); err != nil {
			return Ticket{}, false, err
		}
		if n >= limit {
			return Ticket{}, false, ErrTooMany
		}
	}
	lang := "en"
	if r.MSISDN != "" {
		if lang, err = customer.LanguageOf(ctx, tx, r.MSISDN); err != nil {
			return Ticket{}, false, err
		}
	}
	prio := cat.Priority
	if prio == "" {
		prio = "normal"
	}
	t = Ticket{ID: uuid.Must(uuid.NewV7()).String(), Ref: newRef(), MSISDN: r.MSISDN, MeterDRN: r.MeterDRN, Account: r.Account,
		Category: r.Category, Channel: r.Channel, Language: lang, Priority: prio, Team: cat.Team, State: StateNew,
		Note: r.Note, CreatedBy: r.By, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	now := store.Micros(tx.Now)
	_, err = tx.Exec(`INSERT INTO tickets (id, ref, msisdn, meter_drn, account, category, channel, language, priority, team, assignee, state, note, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', $11, $12, $13, $14, $14)`,
		t.ID, t.Ref, t.MSISDN, t.MeterDRN, t.Account, t.Category, t.Channel, t.Language, t.Priority, t.Team, t.State, t.Note, t.CreatedBy, now)
	if err != nil {
		return Ticket{}, false, err
	}
	return t, false, addEvent(tx, t.ID, EventOpened, r.By, t.Note, "")
}
