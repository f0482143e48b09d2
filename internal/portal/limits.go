package portal

import (
	"github.com/mteja/mteja/internal/login"
)

// limits throttle the actions that cost money or SMS, or that could be
// used to guess: per session, or per client address before login. They
// live in this process and shield it from a flood; the limits that stop
// guessing codes are in the database, in login.
type limits struct {
	verify *login.Limiter // code checks per address
	buy    *login.Limiter // STK prompts per session
	paid   *login.Limiter // receipt look-ups per session
	resend *login.Limiter // token SMS per session
	report *login.Limiter // fault reports per session
	friend *login.Limiter // internet accounts looked up by name, per session
}

func newLimits() *limits {
	return &limits{
		verify: login.NewLimiter(0.2, 10),
		buy:    login.NewLimiter(1.0/60, 3),
		paid:   login.NewLimiter(0.2, 10),
		resend: login.NewLimiter(1.0/120, 2),
		report: login.NewLimiter(1.0/60, 3),
		friend: login.NewLimiter(1.0/30, 10),
	}
}

// take spends one request of key from l, or returns a rate-limit error.
func take(l *login.Limiter, key string) error {
	if ok, wait := l.Allow(key); !ok {
		return &login.RateLimitError{What: "session", RetryAfter: wait}
	}
	return nil
}
