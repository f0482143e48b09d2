package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{"starting up", fmt.Errorf("begin: %w", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}), true},
		{"connection failure class", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization", &pgconn.PgError{Code: "40001"}, false},
		{"refused", fmt.Errorf("begin: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"reset", fmt.Errorf("commit: %w", syscall.ECONNRESET), true},
		{"bad conn", driver.ErrBadConn, true},
		{"sqlite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), true},
		{"canceled", fmt.Errorf("begin: %w", context.Canceled), false},
		{"constraint", errors.New("UNIQUE constraint failed: payments.receipt"), false},
		{"bad value", errors.New("record payments: invalid input syntax for type bigint"), false},
	} {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
