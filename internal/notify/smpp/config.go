package smpp

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Config configures one bind (one route) to an SMSC. Zero fields take the
// defaults documented on each; New applies WithDefaults then validate.
type Config struct {
	// Addr is the SMSC's host:port. Required.
	Addr string
	// SystemID and Password log in with bind_transceiver. SystemID is required.
	SystemID string
	Password string
	// SystemType is sent in the bind; most SMSCs want it empty.
	SystemType string
	// ServiceType goes in every submit_sm; empty is the SMSC default.
	ServiceType string

	// Window is how many submit_sm may await their response at once.
	// Default 20; at most 255. About 2-3 times TPS: a larger window under
	// throttling only piles up refusals.
	Window int
	// TPS is the submit_sm rate the operator allows on this bind (parts
	// per second). Default 10. Each ESME_RTHROTTLED halves the rate in use,
	// down to MinTPS; it doubles for every RecoverEvery without a throttle,
	// back up to TPS (from MinTPS at its default, in four steps).
	TPS float64
	// MinTPS is the floor of the adaptive rate. Default TPS/16, at least 0.5.
	MinTPS float64
	// RecoverEvery is how long the route must go unthrottled before the
	// rate doubles. Default 1 s.
	RecoverEvery time.Duration
	// ThrottleRetries is how often one part is resubmitted after
	// ESME_RTHROTTLED before Send gives up with sms.ErrThrottled. A
	// throttled submit was refused, so resubmitting cannot duplicate it.
	// Default 3; negative means none.
	ThrottleRetries int

	// EnquireLink is the keep-alive period. Default 30 s.
	EnquireLink time.Duration
	// ReadTimeout drops the bind when nothing at all arrives for this long
	// (enquire_link_resp included). Default 2*EnquireLink + 10 s; must
	// exceed EnquireLink.
	ReadTimeout time.Duration
	// WriteTimeout bounds one PDU write. Default 10 s.
	WriteTimeout time.Duration
	// BindTimeout bounds dialling plus the bind exchange. Default 10 s.
	BindTimeout time.Duration
	// ResponseTimeout is how long a submit_sm waits for its response
	// before Send reports sms.ErrUnknownOutcome. Default 30 s.
	ResponseTimeout time.Duration
	// BindWait is how long Send waits for a bind in progress before it
	// reports sms.ErrTemporary ("not bound"). Default 2 s; negative means
	// do not wait.
	BindWait time.Duration
	// ReconnectMin and ReconnectMax bound the exponential backoff between
	// bind attempts after a loss: each wait is drawn between half and all
	// of the current step, which doubles from ReconnectMin up to
	// ReconnectMax. Defaults 250 ms and 1.5 s: a failed dial costs the SMSC
	// next to nothing, and every second the bind stays down after the SMSC
	// is back is a second of tokens queueing. A bind refused for its
	// credentials waits at least RefusedRetry instead.
	ReconnectMin time.Duration
	ReconnectMax time.Duration
	// RefusedRetry is the least wait after a bind refused for its
	// credentials (ESME_RINVPASWD and the like): many operators lock an
	// account after repeated failed logins. Default 30 s.
	RefusedRetry time.Duration

	// ReceiptLocation is the zone of the dates in receipt texts. Default UTC.
	ReceiptLocation *time.Location
	// ReceiptPark is how long a receipt whose id matches no recent
	// submit_sm_resp is held while submits are in flight (it may have
	// overtaken its response), so its id can be reported in the form the
	// response used. Default 2 s.
	ReceiptPark time.Duration
	// IDMemory is how many recent message ids are remembered to match
	// receipt ids written in another base. Default 100000.
	IDMemory int

	// OnReceipt receives every delivery receipt. It runs on the bind's
	// read loop (the deliver_sm is acknowledged after it returns, so a
	// crash before then makes the SMSC resend it) or, for a parked
	// receipt, on the park timer: keep it short and safe for concurrent
	// use. Nil drops receipts.
	OnReceipt func(sms.Receipt)
	// OnInbound receives mobile-originated messages, like OnReceipt.
	OnInbound func(sms.Inbound)

	// Logger gets bind events and unparseable PDUs. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy of c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Window == 0 {
		c.Window = 20
	}
	if c.TPS == 0 {
		c.TPS = 10
	}
	if c.MinTPS == 0 {
		c.MinTPS = max(c.TPS/16, 0.5)
	}
	if c.RecoverEvery == 0 {
		c.RecoverEvery = time.Second
	}
	if c.ThrottleRetries == 0 {
		c.ThrottleRetries = 3
	}
	if c.EnquireLink == 0 {
		c.EnquireLink = 30 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 2*c.EnquireLink + 10*time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.BindTimeout == 0 {
		c.BindTimeout = 10 * time.Second
	}
	if c.ResponseTimeout == 0 {
		c.ResponseTimeout = 30 * time.Second
	}
	if c.BindWait == 0 {
		c.BindWait = 2 * time.Second
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = 250 * time.Millisecond
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = max(1500*time.Millisecond, c.ReconnectMin)
	}
	if c.RefusedRetry == 0 {
		c.RefusedRetry = 30 * time.Second
	}
	if c.ReceiptLocation == nil {
		c.ReceiptLocation = time.UTC
	}
	if c.ReceiptPark == 0 {
		c.ReceiptPark = 2 * time.Second
	}
	if c.IDMemory == 0 {
		c.IDMemory = 100000
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("Addr is empty"))
	}
	if c.SystemID == "" {
		errs = append(errs, errors.New("SystemID is empty"))
	}
	if len(c.SystemID) > 15 || len(c.Password) > 8 {
		errs = append(errs, errors.New("SystemID over 15 or Password over 8 characters (SMPP 3.4 limits)"))
	}
	if c.Window < 1 || c.Window > 255 {
		errs = append(errs, fmt.Errorf("Window %d is outside 1..255", c.Window))
	}
	if c.TPS <= 0 || c.MinTPS <= 0 || c.MinTPS > c.TPS {
		errs = append(errs, fmt.Errorf("TPS %g and MinTPS %g must be positive with MinTPS <= TPS", c.TPS, c.MinTPS))
	}
	if c.ReadTimeout <= c.EnquireLink {
		errs = append(errs, fmt.Errorf("ReadTimeout %v must exceed EnquireLink %v", c.ReadTimeout, c.EnquireLink))
	}
	if c.ReconnectMin <= 0 || c.ReconnectMax < c.ReconnectMin {
		errs = append(errs, fmt.Errorf("ReconnectMin %v and ReconnectMax %v must be positive with Min <= Max", c.ReconnectMin, c.ReconnectMax))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"RecoverEvery", c.RecoverEvery}, {"WriteTimeout", c.WriteTimeout}, {"BindTimeout", c.BindTimeout},
		{"ResponseTimeout", c.ResponseTimeout}, {"ReceiptPark", c.ReceiptPark},
		{"RefusedRetry", c.RefusedRetry},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", d.name, d.v))
		}
	}
	if c.IDMemory < 0 {
		errs = append(errs, fmt.Errorf("IDMemory %d is negative", c.IDMemory))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("smpp config: %w", err)
	}
	return nil
}
