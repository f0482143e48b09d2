// Package isp is an internet service provider's billing: plans, subscribers
// and their subscriptions, wallets, vouchers, payments through M-Pesa, and
// the billing side of RADIUS (package isp/radius asks a Service, through
// radius.Decider, who may log in, and tells it what sessions used).
//
// Money follows the rules of the rest of Mteja: a payment is applied once,
// in the transaction that marks it applied, and every movement is posted
// to the ISP's own ledger accounts (ledger.ISP*), apart from a utility's.
package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/seal"
	"github.com/mteja/mteja/internal/store"
)

// Config is what a Service is built with. Each field says its default.
type Config struct {
	// Name is the ISP's name on messages; "Mteja Net".
	Name string
	// ShortCodes are the ISP's Paybill numbers; the first is the one
	// messages tell customers to pay. None: customers are told to ask.
	ShortCodes []string
	// WalledGarden is the router's address list for users who must pay
	// (Mikrotik-Address-List); "mteja-pay-now".
	WalledGarden string
	// Interim is the Acct-Interim-Interval told to routers; 5 minutes. A
	// session silent for three of them is closed.
	Interim time.Duration
	// STK starts pushes, through Daraja, the ISP's own client (its short
	// code and passkey). Without them bundles cannot be bought by STK.
	STK    *payment.STK
	Daraja payment.STKPusher
	// OnMessages wakes the delivery worker after messages are queued.
	OnMessages func()
	// Taxes are the dated VAT and excise rates; DefaultTaxes() (Kenya's,
	// as shipped) unless MTEJA_TAX_FILE gives the operator's own.
	Taxes *Taxes
	// PIN is the ISP's KRA PIN, on its invoices; none when unset.
	PIN string
	// InvoiceLead is how long before its period a monthly plan's invoice
	// is issued; 7 days.
	InvoiceLead time.Duration
	// Signer signs invoices and credit notes for eTIMS; none: they wait,
	// "awaiting signature".
	Signer Signer
	Log    *slog.Logger // default slog.Default()
}

func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "Mteja Net"
	}
	if c.WalledGarden == "" {
		c.WalledGarden = "mteja-pay-now"
	}
	if c.Interim <= 0 {
		c.Interim = 5 * time.Minute
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.InvoiceLead <= 0 {
		c.InvoiceLead = 7 * 24 * time.Hour
	}
	if c.Taxes == nil {
		c.Taxes = DefaultTaxes()
	}
	return c
}

func (c Config) validate() error {
	if c.Interim < 30*time.Second || c.Interim > time.Hour {
		return fmt.Errorf("isp: the interim interval %v is not between 30s and 1h", c.Interim)
	}
	if strings.ContainsAny(c.WalledGarden, " \t\n") || len(c.WalledGarden) > 60 {
		return fmt.Errorf("isp: the walled garden %q is not an address list name", c.WalledGarden)
	}
	return nil
}

// Service is the ISP's billing. Its methods are safe for concurrent use.
// Run starts its workers: the payment applier, the accounting writer and
// the periodic sweeps (expiry, grace, silent sessions, alerts).
type Service struct {
	DB   *store.DB
	seal *seal.Sealer
	cfg  Config

	acct *store.GroupCommitter[radius.AcctRecord, radius.AcctResult]
	nas  nasCache
	wake chan struct{}
	auth struct {
		mu   sync.Mutex
		stmt *sql.Stmt
	}
	vouchers voucherTries
}

// The Service is what the RADIUS server asks.
var _ radius.Decider = (*Service)(nil)

// New returns the ISP's billing on db; sealKey (the data directory's or
// MTEJA_SEAL_KEY) seals passwords, router secrets and voucher codes.
func New(db *store.DB, sealKey []byte, c Config) (*Service, error) {
	sl, err := seal.New(sealKey)
	if err != nil {
		return nil, err
	}
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	s := &Service{DB: db, seal: sl, cfg: c, wake: make(chan struct{}, 1)}
	s.acct = store.NewGroupCommitter(db, 256, s.accountBatch)
	return s, nil
}

// Config returns the configuration the service runs with, defaults filled.
func (s *Service) Config() Config { return s.cfg }

// Run runs the workers until ctx ends: RunAccounting, RunApplier,
// RunSweeps and RunSigner.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, fn := range []func(context.Context){s.RunAccounting, s.RunApplier, s.RunSweeps, s.RunSigner} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx)
		}()
	}
	wg.Wait()
}

// RunAccounting writes accounting packets in batches until ctx ends;
// Account waits for it. PostgreSQL commits several batches at once (their
// rows are locked in one order, so they do not deadlock); SQLite has one
// writer.
func (s *Service) RunAccounting(ctx context.Context) {
	loops := 1
	if s.DB.Dialect == store.Postgres {
		loops = 4
	}
	var wg sync.WaitGroup
	for range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.acct.Run(ctx)
		}()
	}
	wg.Wait()
}

// querier reads through the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) now() time.Time { return s.DB.Now().UTC() }

func (s *Service) messagesQueued() {
	if s.cfg.OnMessages != nil {
		s.cfg.OnMessages()
	}
}

// shortCode is the Paybill messages name, "" when none is configured.
func (s *Service) shortCode() string {
	if len(s.cfg.ShortCodes) == 0 {
		return ""
	}
	return s.cfg.ShortCodes[0]
}

// Ours reports whether shortCode is one of the ISP's.
func (s *Service) Ours(shortCode string) bool {
	for _, sc := range s.cfg.ShortCodes {
		if sc == shortCode {
			return true
		}
	}
	return false
}

// inTx runs fn in a write transaction and returns its value.
func inTx[T any](ctx context.Context, db *store.DB, fn func(tx *store.Tx) (T, error)) (T, error) {
	var out T
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// Errors a customer or staff member can act on; each says what to do.
var (
	ErrUsername  = errors.New("a username is 3 to 20 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, and neither a phone number nor 12 digits (a voucher)")
	ErrTaken     = errors.New("that username is taken")
	ErrPassword  = errors.New("a password is 4 to 64 printable characters")
	ErrFunds     = errors.New("the wallet does not hold enough")
	ErrState     = errors.New("the subscription is not in a state that allows this")
	ErrPlanShut  = errors.New("that plan is no longer sold")
	ErrNoPlan    = errors.New("the subscriber has no plan")
	ErrVoucher   = errors.New("no such voucher")
	ErrUsed      = errors.New("that voucher has been used")
	ErrExpired   = errors.New("that voucher has expired")
	ErrNAS       = errors.New("bad router settings")
	ErrNotListed = errors.New("unknown router")
)
