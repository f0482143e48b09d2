package radius

import (
	"log/slog"
	"sync"
	"time"
)

// logLimiter logs a warning at most once per key and period: a router
// with the wrong secret sends thousands of packets a minute, and one line
// naming it is what the operator needs.
type logLimiter struct {
	log   *slog.Logger
	every time.Duration

	mu   sync.Mutex
	last map[string]time.Time
}

func newLogLimiter(log *slog.Logger, every time.Duration) *logLimiter {
	return &logLimiter{log: log, every: every, last: make(map[string]time.Time)}
}

func (l *logLimiter) warn(key, msg string, args ...any) {
	now := time.Now()
	l.mu.Lock()
	if t, ok := l.last[key]; ok && now.Sub(t) < l.every {
		l.mu.Unlock()
		return
	}
	if len(l.last) > 10_000 { // spoofed sources: forget, rather than grow
		clear(l.last)
	}
	l.last[key] = now
	l.mu.Unlock()
	l.log.Warn(msg, args...)
}
