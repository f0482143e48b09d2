package mpesa

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// SandboxShortCode and SandboxPasskey are Safaricom's published sandbox
// Lipa na M-Pesa Online short code and passkey, the simulator's defaults.
const (
	SandboxShortCode = "174379"
	SandboxPasskey   = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
)

// SimConfig configures a Simulator. Every zero field takes the default noted.
type SimConfig struct {
	ShortCode string // default SandboxShortCode
	Passkey   string // default SandboxPasskey
	// ConsumerKey and ConsumerSecret, when set, are the only credentials
	// OAuth accepts; when empty any Basic credentials get a token.
	ConsumerKey    string
	ConsumerSecret string
	// SecurityCredential, when set, is the only one status queries and
	// reversals accept; others get result code 2001 like Daraja's.
	SecurityCredential string
	OrganisationName   string        // CreditPartyName in results; default "Sample Utility"
	TokenTTL           time.Duration // default 3599 s
	// STKDelay is how long the customer takes to answer the prompt; until
	// then the STK query says the transaction is being processed. Default 0.
	STKDelay time.Duration
	// SkipValidation never calls the validation URL, as in production unless
	// Safaricom has enabled external validation for the short code: then
	// confirmations arrive for accounts validation would have refused.
	SkipValidation bool
	// ValidationTimeout is how long M-Pesa waits for the validation URL
	// before applying the registered ResponseType. Default 8 s.
	ValidationTimeout time.Duration
	MSISDNForm        MSISDNForm   // default: hashed for v1 registrations, masked for v2
	AmountForm        AmountForm   // default: alternate string and number
	MinAmount         money.Amount // default KES 1
	MaxAmount         money.Amount // default KES 250,000
	OpeningBalance    money.Amount // OrgAccountBalance before the first payment
	PullPageSize      int          // rows in a page of the Pull API; default 1000
	Now               func() time.Time
	HTTP              *http.Client // for callbacks; default a client with a 10 s timeout
	Logger            *slog.Logger // default: discard
	Seed              uint64       // seeds the ids; 0 picks a random seed
}

// MSISDNForm is how C2B callbacks show the payer's number.
type MSISDNForm int

const (
	MSISDNByVersion MSISDNForm = iota // v1 registration: hashed; v2: masked
	MSISDNHashed                      // SHA-256 hex of "2547..."
	MSISDNMasked                      // "2547 ***** 149"
	MSISDNPlain                       // "254708374149", as the sandbox does
)

// AmountForm is how C2B callbacks write TransAmount.
type AmountForm int

const (
	AmountAlternate AmountForm = iota // "500.00" and 500 in turn
	AmountString                      // "500.00"
	AmountNumber                      // 500
)

func (c SimConfig) withDefaults() SimConfig {
	if c.ShortCode == "" {
		c.ShortCode = SandboxShortCode
	}
	if c.Passkey == "" {
		c.Passkey = SandboxPasskey
	}
	if c.OrganisationName == "" {
		c.OrganisationName = "Sample Utility"
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 3599 * time.Second
	}
	if c.ValidationTimeout <= 0 {
		c.ValidationTimeout = 8 * time.Second
	}
	if c.MinAmount <= 0 {
		c.MinAmount = money.MustFromMajor(1)
	}
	if c.MaxAmount <= 0 {
		c.MaxAmount = money.MustFromMajor(250_000)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.PullPageSize <= 0 {
		c.PullPageSize = 1000
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	return c
}

// Simulator is a stand-in for Daraja: an http.Handler serving the same
// endpoints with the same shapes, which posts callbacks the way Daraja does
// (late, twice, out of order or never, when told to). It keeps every
// transaction and callback for tests and the demo. Mount it at the root of a
// server or under a prefix with http.StripPrefix. Safe for concurrent use.
type Simulator struct {
	cfg SimConfig
	mux *http.ServeMux
	log *slog.Logger

	ctx    context.Context // cancelled by Close: stops deliveries
	cancel context.CancelFunc

	mu         sync.Mutex
	rng        *rand.Rand
	tokens     map[string]simToken // consumer key → its one valid token
	issued     int                 // tokens issued, for alternating expires_in forms
	urls       map[string]c2bURLs  // short code → registered URLs
	txs        []*simTx
	byReceipt  map[string]*simTx
	byCheckout map[string]*simTx
	ids        map[string]bool // every id issued, so none repeats
	phones     map[string]Behaviour
	behaviour  func(phone string, amount money.Amount) Behaviour
	faults     Faults
	held       []heldDelivery
	callbacks  []SimCallback
	sent       int
	balance    money.Amount
	amounts    int // C2B payments so far, for AmountAlternate
	pushes     int // STK pushes so far, for alternating metadata shapes
	failNext   int
	failWith   APIError
	originIDs  map[string]bool // OriginatorConversationIDs seen
	// pullRegistered is set once the short code is registered for the
	// Pull API, which refuses queries before.
	pullRegistered bool

	busyMu sync.Mutex
	busy   int // deliveries and scheduled results in flight
	idle   *sync.Cond
}

// NewSimulator builds a simulator; cfg's zero fields take their defaults.
func NewSimulator(cfg SimConfig) *Simulator {
	cfg = cfg.withDefaults()
	s := &Simulator{
		cfg:        cfg,
		log:        cfg.Logger,
		rng:        rand.New(rand.NewChaCha8(seed32(cfg.Seed))),
		tokens:     map[string]simToken{},
		urls:       map[string]c2bURLs{},
		byReceipt:  map[string]*simTx{},
		byCheckout: map[string]*simTx{},
		ids:        map[string]bool{},
		phones:     map[string]Behaviour{},
		originIDs:  map[string]bool{},
		balance:    cfg.OpeningBalance,
	}
	s.idle = sync.NewCond(&s.busyMu)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes()
	return s
}

func seed32(n uint64) [32]byte {
	var b [32]byte
	for i := range 4 {
		for j := range 8 {
			b[i*8+j] = byte(n >> (8 * j))
		}
		n = n*6364136223846793005 + 1442695040888963407
	}
	return b
}

func (s *Simulator) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /oauth/v1/generate", s.handleOAuth)
	m.HandleFunc("POST /mpesa/c2b/{version}/registerurl", s.api(s.handleRegisterURL))
	m.HandleFunc("POST /mpesa/c2b/{version}/simulate", s.api(s.handleSimulate))
	m.HandleFunc("POST /mpesa/stkpush/v1/processrequest", s.api(s.handleSTKPush))
	m.HandleFunc("POST /mpesa/stkpushquery/v1/query", s.api(s.handleSTKQuery))
	m.HandleFunc("POST /mpesa/transactionstatus/v1/query", s.api(s.handleStatusQuery))
	m.HandleFunc("POST /mpesa/reversal/v1/request", s.api(s.handleReversal))
	m.HandleFunc("POST /pulltransactions/v1/register", s.api(s.handleRegisterPull))
	m.HandleFunc("POST /pulltransactions/v1/query", s.api(s.handlePullQuery))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, &APIError{Code: CodeNotFound, Message: "Resource not found"})
	})
	s.mux = m
}

// ServeHTTP serves Daraja's endpoints.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Simulator) now() time.Time { return s.cfg.Now() }

// ShortCode is the short code the simulator plays.
func (s *Simulator) ShortCode() string { return s.cfg.ShortCode }

// Passkey is the STK passkey the simulator checks passwords against.
func (s *Simulator) Passkey() string { return s.cfg.Passkey }

// Close stops all callbacks (held ones are dropped) and waits for those in
// flight to end. The endpoints keep answering.
func (s *Simulator) Close() {
	s.cancel()
	s.mu.Lock()
	s.held = nil
	s.mu.Unlock()
	s.Wait()
}

// Wait blocks until no callback is being delivered or waiting for its delay
// (held callbacks excepted): after a PayBill or an API call, Wait makes their
// callbacks' effects visible.
func (s *Simulator) Wait() {
	s.busyMu.Lock()
	for s.busy > 0 {
		s.idle.Wait()
	}
	s.busyMu.Unlock()
}

// background runs fn in its own goroutine and counts it for Wait.
func (s *Simulator) background(fn func()) {
	s.busyMu.Lock()
	s.busy++
	s.busyMu.Unlock()
	go func() {
		defer func() {
			s.busyMu.Lock()
			s.busy--
			if s.busy == 0 {
				s.idle.Broadcast()
			}
			s.busyMu.Unlock()
		}()
		fn()
	}()
}

// sleep waits d or until Close; false means closed.
func (s *Simulator) sleep(d time.Duration) bool {
	if d <= 0 {
		return s.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}
