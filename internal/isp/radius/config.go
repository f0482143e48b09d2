package radius

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Config of a Server. Each field says its default; New applies them.
type Config struct {
	// AuthAddr is the UDP address Access-Requests are taken on, e.g.
	// "10.8.0.1:1812" on the VPN the routers reach us by. "" opens no
	// listener: an empty setting never means "every interface" (as it
	// does for layeh.com/radius's own server).
	AuthAddr string // MTEJA_RADIUS_AUTH_ADDR; "" (off)
	// AcctAddr is the UDP address Accounting-Requests are taken on.
	AcctAddr string // MTEJA_RADIUS_ACCT_ADDR; "" (off)

	// Workers is how many requests of each listener are decided at once.
	Workers int // 64
	// Backlog is how many packets of each listener wait for a worker;
	// more are dropped (DropOverload) rather than answered too late.
	Backlog int // 4096
	// DecideTimeout bounds a call to the Decider. A request not decided
	// in time is dropped, and the NAS retransmits it.
	DecideTimeout time.Duration // 2s
	// ReplyCacheTTL is how long a reply is kept for retransmits: at least
	// this, at most twice this. NAS retransmit within a few seconds.
	ReplyCacheTTL time.Duration // 5s
	// ReplyCacheSize bounds the replies kept.
	ReplyCacheSize int // 200,000 (about 20 s at 10,000 requests/s)
	// NASCacheTTL is how long Decider.NASByAddr's answer is kept: a new
	// NAS, or a NAS's new secret, takes effect within it.
	NASCacheTTL time.Duration // 10s

	// CoA is how CoA and Disconnect requests are sent.
	CoA CoAConfig

	Log     *slog.Logger     // slog.Default()
	Metrics Metrics          // none
	Now     func() time.Time // time.Now
}

// CoAConfig is how CoA- and Disconnect-Requests (RFC 5176) are sent: the
// same packet (same identifier) is retransmitted after Timeout, Timeout ×
// 2, × 4..., Attempts times in all, as RFC 5176 asks of retransmissions.
type CoAConfig struct {
	Timeout  time.Duration // 1s: the first wait for an ACK or NAK
	Attempts int           // 4 (the waits: 1 + 2 + 4 + 8 = 15 s)
	Port     int           // 3799, for a NAS whose CoAPort is 0
	// Workers is how many changes are sent at once.
	Workers int // 16
}

// ErrNoListener is returned by Start when neither address is set.
var ErrNoListener = errors.New("radius: neither MTEJA_RADIUS_AUTH_ADDR nor MTEJA_RADIUS_ACCT_ADDR is set: nothing to listen on")

// Enabled reports whether the configuration opens any listener.
func (c Config) Enabled() bool { return c.AuthAddr != "" || c.AcctAddr != "" }

func (c *Config) withDefaults() {
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.Backlog <= 0 {
		c.Backlog = 4096
	}
	if c.DecideTimeout <= 0 {
		c.DecideTimeout = 2 * time.Second
	}
	if c.ReplyCacheTTL <= 0 {
		c.ReplyCacheTTL = 5 * time.Second
	}
	if c.ReplyCacheSize <= 0 {
		c.ReplyCacheSize = 200_000
	}
	if c.NASCacheTTL <= 0 {
		c.NASCacheTTL = 10 * time.Second
	}
	c.CoA.withDefaults()
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (c *CoAConfig) withDefaults() {
	if c.Timeout <= 0 {
		c.Timeout = time.Second
	}
	if c.Attempts <= 0 {
		c.Attempts = 4
	}
	if c.Port <= 0 {
		c.Port = 3799
	}
	if c.Workers <= 0 {
		c.Workers = 16
	}
}

func (c Config) validate() error {
	for _, a := range []struct{ name, addr string }{{"MTEJA_RADIUS_AUTH_ADDR", c.AuthAddr}, {"MTEJA_RADIUS_ACCT_ADDR", c.AcctAddr}} {
		if a.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return fmt.Errorf("radius: %s %q: %w", a.name, a.addr, err)
		}
	}
	if _, port, _ := net.SplitHostPort(c.AuthAddr); c.AuthAddr != "" && c.AuthAddr == c.AcctAddr && port != "0" {
		return fmt.Errorf("radius: MTEJA_RADIUS_AUTH_ADDR and MTEJA_RADIUS_ACCT_ADDR are both %q", c.AuthAddr)
	}
	return nil
}
