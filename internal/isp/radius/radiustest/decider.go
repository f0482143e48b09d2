// Package radiustest has stand-ins for the RADIUS server's peers: a
// Decider that keeps users in memory (for tests and the benchmark, until
// billing's own is wired), a NAS that takes CoA and Disconnect requests,
// and a change queue.
package radiustest

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
)

// Decider is a radius.Decider over users and NAS held in memory. Its zero
// value knows nobody; it is safe for concurrent use.
type Decider struct {
	mu      sync.RWMutex
	nas     map[netip.Addr]radius.NAS
	users   map[string]User
	records []radius.AcctRecord
	keep    bool
	result  func(radius.AcctRecord) radius.AcctResult
	fail    error
	delay   time.Duration

	AuthCalls, AcctCalls atomic.Int64
}

// User is a subscriber: its password and what an Access-Request with it
// is answered.
type User struct {
	Password string
	Decision radius.AuthDecision
}

// WrongPassword is the Reply-Message of the Decider's rejections.
const WrongPassword = "Wrong username or password"

// NewDecider returns a Decider that keeps every accounting record when
// keep is set (tests), or only counts them (the benchmark).
func NewDecider(keep bool) *Decider {
	return &Decider{nas: make(map[netip.Addr]radius.NAS), users: make(map[string]User), keep: keep}
}

// AddNAS makes n known by its address.
func (d *Decider) AddNAS(n radius.NAS) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nas[n.Addr] = n
}

// AddUser adds or replaces a user.
func (d *Decider) AddUser(name string, u User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[name] = u
}

// OnAccount sets what Account answers (nothing to do, by default).
func (d *Decider) OnAccount(f func(radius.AcctRecord) radius.AcctResult) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.result = f
}

// Fail makes every Authorize, Account and Ping fail with err (nil:
// succeed).
func (d *Decider) Fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail = err
}

// Delay makes every Authorize and Account take d, as a slow database
// would.
func (d *Decider) Delay(delay time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.delay = delay
}

// Records returns the accounting records kept so far.
func (d *Decider) Records() []radius.AcctRecord {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return append([]radius.AcctRecord(nil), d.records...)
}

// Ping fails as Authorize and Account do (see Fail).
func (d *Decider) Ping(context.Context) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.fail
}

func (d *Decider) NASByAddr(_ context.Context, addr netip.Addr) (radius.NAS, bool, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	n, ok := d.nas[addr]
	return n, ok, nil
}

func (d *Decider) Authorize(_ context.Context, r radius.AuthRequest) (radius.AuthDecision, error) {
	d.AuthCalls.Add(1)
	d.mu.RLock()
	u, ok := d.users[r.Username]
	err, delay := d.fail, d.delay
	d.mu.RUnlock()
	time.Sleep(delay)
	if err != nil {
		return radius.AuthDecision{}, err
	}
	if !ok || !r.Check(u.Password) {
		return radius.AuthDecision{Verdict: radius.Reject, Message: WrongPassword}, nil
	}
	return u.Decision, nil
}

func (d *Decider) Account(_ context.Context, r radius.AcctRecord) (radius.AcctResult, error) {
	d.AcctCalls.Add(1)
	d.mu.RLock()
	delay := d.delay
	d.mu.RUnlock()
	time.Sleep(delay)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return radius.AcctResult{}, d.fail
	}
	if d.keep {
		d.records = append(d.records, r)
	}
	if d.result != nil {
		return d.result(r), nil
	}
	return radius.AcctResult{}, nil
}
