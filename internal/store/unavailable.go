package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrTooSlow is a write that a caller with a deadline of its own stopped
// waiting for: the database is hanging (a locked SQLite file, a server that
// does not answer), which Unavailable counts as unreachable.
var ErrTooSlow = errors.New("database did not answer in time")

// Unavailable reports whether err means the database could not be reached
// or is restarting, rather than that the write itself was wrong: a refused
// or reset connection, a server shutting down or starting up (PostgreSQL
// 57P01-57P03, 08xxx), or a SQLite file still locked after its busy
// timeout. Such a write may succeed if tried again in a moment; a real
// error (a constraint, a bad value) will not, and must not be retried.
//
// A commit that failed with the connection lost may in fact have been
// committed; callers retry only writes that are idempotent (a payment is
// unique on its receipt).
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", strings.HasPrefix(pgErr.Code, "08"):
			return true
		}
		return false
	}
	if errors.Is(err, ErrTooSlow) {
		return true
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	msg := err.Error()
	for _, s := range unavailableText {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// unavailableText are the messages of failures that reach us without a
// typed error (wrapped by database/sql or by the SQLite driver).
var unavailableText = []string{
	"SQLITE_BUSY", "database is locked",
	"the database system is starting up", "the database system is shutting down",
	"terminating connection due to administrator command",
	"connection refused", "connection reset", "broken pipe", "conn closed", "unexpected EOF",
	"failed to connect", "server closed the connection",
}

// RetryUnavailable runs fn until it succeeds, fails with an error that is
// not Unavailable, or has been retried for about retryFor, backing off from
// 50 ms to 500 ms. fn must be safe to repeat (idempotent).
func RetryUnavailable(ctx context.Context, retryFor time.Duration, fn func() error) error {
	deadline := time.Now().Add(retryFor)
	wait := 50 * time.Millisecond
	for {
		err := fn()
		if err == nil || !Unavailable(err) || ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}
