package ussd

import (
	"context"
	"io"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/peer"
)

// Options configure the handler. The zero value works: every field documents
// its default.
type Options struct {
	// Brand is the first line of the home screen. Default "Mteja"; longer than
	// 16 characters is cut, since the Swahili home screen has no more room.
	Brand string
	// Currency prefixes amounts on screens. Default "KES".
	Currency string
	// DefaultLanguage is used for callers who have not chosen one: "en"
	// (default) or "sw".
	DefaultLanguage string
	// Location shows token and purchase times. Default Africa/Nairobi.
	Location *time.Location
	// Gate guards the callbacks: the {secret} path segment the gateway's
	// URL is configured with, and the networks it may call from. Its zero
	// value admits nobody: every request gets a 404 and no work is done.
	Gate peer.Gate
	// Timeout bounds one request's backend work. Default 10 s: the gateway
	// gives up after about 15 s.
	Timeout time.Duration
	// DedupeTTL is how long the answer to a step that changed something is
	// kept for resent requests. Default 5 minutes (a session lasts about 3).
	DedupeTTL time.Duration
	// DedupeMax caps the kept answers. Default 10,000.
	DedupeMax int
	// Steps, when set, also keeps those answers where every node sees
	// them, so that a request the gateway resends to another node does not
	// act twice. nil: this process only.
	Steps StepStore
	// Logger gets backend errors (phone numbers masked) and, without OnEvent,
	// the end-of-session notifications. Default: discard.
	Logger *slog.Logger
	// OnEvent records an end-of-session notification. An error answers 500
	// so that the gateway may send it again.
	OnEvent func(context.Context, Event) error
	// Internet, when set, adds the internet menu (usage, bundles by STK
	// push, vouchers) for an ISP's subscribers. nil: no such menu.
	Internet Internet
	// Agents, when set, opens the agent menu (choice 9, with a PIN) to
	// the phones of agent users. nil: no agent menu.
	Agents Agents
	// Survey, when set, puts the feedback question waiting on a caller
	// under the final screen of a step, when it fits. nil: never asked.
	Survey Survey
	// Now is the clock of the dedupe cache. Default time.Now.
	Now func() time.Time
}

// StepStore runs a step that changes something once per key within ttl,
// across every node, and gives each caller the first run's answer.
type StepStore interface {
	Once(ctx context.Context, key string, ttl time.Duration, f func() (string, error)) (string, error)
}

const maxBrand = 16

func (o Options) withDefaults() Options {
	if o.Brand == "" {
		o.Brand = "Mteja"
	}
	if utf8.RuneCountInString(o.Brand) > maxBrand {
		o.Brand = string([]rune(o.Brand)[:maxBrand])
	}
	if o.Currency == "" {
		o.Currency = "KES"
	}
	if o.DefaultLanguage != langSW {
		o.DefaultLanguage = langEN
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Africa/Nairobi")
		if err != nil {
			// Without the time zone database, East Africa Time has had no
			// daylight saving since 1942, so a fixed zone is exact.
			loc = time.FixedZone("EAT", 3*60*60)
		}
		o.Location = loc
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = 5 * time.Minute
	}
	if o.DedupeMax <= 0 {
		o.DedupeMax = 10000
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}
