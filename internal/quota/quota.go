// Package quota counts requests in the database, so that a limit holds
// across every node sharing it and across restarts: how many login codes a
// phone may ask for, how many meters a caller may look up, how many unknown
// receipts an address may make us ask M-Pesa about.
//
// A request is one row (bucket, time). A limit counts a bucket's rows inside
// a sliding window; rows older than the longest window are pruned as new
// ones arrive, through the time index, so the table holds only recent use.
package quota

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Rule is one limit: at most Max requests per Per for each key.
type Rule struct {
	Name string // the bucket's prefix, and what the limit is about: "login.phone"
	Max  int
	Per  time.Duration
}

// Key is a rule applied to one key (a phone number, a client address).
type Key struct {
	Rule Rule
	Of   string
	// Item, when set, makes the limit count distinct items (the meters a
	// phone looked up) instead of requests: a repeat of an item inside the
	// window is free. Stateless USSD menus replay every step of a session
	// on each screen, and must not be charged again for it.
	Item string
}

// Of applies the rule to key.
func (r Rule) Of(key string) Key { return Key{Rule: r, Of: key} }

// For names the item a distinct-count key is about.
func (k Key) For(item string) Key { k.Item = item; return k }

func (k Key) bucket() string { return k.Rule.Name + ":" + k.Of }

// Exceeded is the error for a request over a limit.
type Exceeded struct {
	Rule       Rule
	RetryAfter time.Duration // at least a second: Retry-After counts whole seconds
}

func (e *Exceeded) Error() string {
	return fmt.Sprintf("limit %s (%d per %s) reached: try again in %s", e.Rule.Name, e.Rule.Max, e.Rule.Per, e.RetryAfter.Round(time.Second))
}

// keep is how long rows are kept: longer than any window in use.
const keep = 25 * time.Hour

// Take counts one request against every key, in its own transaction. When
// any key is over its limit nothing is counted and *Exceeded is returned.
func Take(ctx context.Context, db *store.DB, keys ...Key) error {
	return db.InTx(ctx, func(tx *store.Tx) error { return TakeTx(tx, keys...) })
}

// TakeTx is Take inside a caller's transaction, so that the count commits
// with what it guards. The count is exact: SQLite has one writer, and on
// PostgreSQL each bucket is locked (a transaction advisory lock, in bucket
// order, so that two takes never wait on each other in a circle) from the
// count to the commit.
func TakeTx(tx *store.Tx, keys ...Key) error {
	now := store.Micros(tx.Now)
	if tx.Dialect == store.Postgres {
		buckets := make([]string, len(keys))
		for i, k := range keys {
			buckets[i] = k.bucket()
		}
		slices.Sort(buckets)
		for _, b := range slices.Compact(buckets) {
			if _, err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, "quota:"+b); err != nil {
				return fmt.Errorf("lock quota %s: %w", b, err)
			}
		}
	}
	// Old rows go bucket by bucket through the index as each is counted;
	// one take in a hundred also sweeps the buckets nobody comes back to.
	if rand.IntN(100) == 0 {
		if _, err := tx.Exec(`DELETE FROM quota_hits WHERE at <= $1`, now-keep.Microseconds()); err != nil {
			return fmt.Errorf("prune quota: %w", err)
		}
	}
	var count []Key
	for _, k := range keys {
		if k.Rule.Per > keep {
			return fmt.Errorf("quota %s: window %s is longer than the %s kept", k.Rule.Name, k.Rule.Per, keep)
		}
		since := now - k.Rule.Per.Microseconds()
		if _, err := tx.Exec(`DELETE FROM quota_hits WHERE bucket = $1 AND at <= $2`, k.bucket(), now-keep.Microseconds()); err != nil {
			return fmt.Errorf("prune quota %s: %w", k.Rule.Name, err)
		}
		if k.Item != "" {
			var seen int
			if err := tx.QueryRow(`SELECT count(*) FROM quota_hits WHERE bucket = $1 AND at > $2 AND item = $3`, k.bucket(), since, k.Item).Scan(&seen); err != nil {
				return fmt.Errorf("count quota %s: %w", k.Rule.Name, err)
			}
			if seen > 0 {
				continue
			}
		}
		var n int
		var oldest int64
		err := tx.QueryRow(`SELECT count(*), COALESCE(MIN(at), 0) FROM quota_hits WHERE bucket = $1 AND at > $2`,
			k.bucket(), since).Scan(&n, &oldest)
		if err != nil {
			return fmt.Errorf("count quota %s: %w", k.Rule.Name, err)
		}
		if n >= k.Rule.Max {
			wait := time.Duration(oldest+k.Rule.Per.Microseconds()-now) * time.Microsecond
			return &Exceeded{Rule: k.Rule, RetryAfter: max(wait.Round(time.Second), time.Second)}
		}
		count = append(count, k)
	}
	for _, k := range count {
		if _, err := tx.Exec(`INSERT INTO quota_hits (bucket, item, at) VALUES ($1, $2, $3)`, k.bucket(), k.Item, now); err != nil {
			return fmt.Errorf("count quota %s: %w", k.Rule.Name, err)
		}
	}
	return nil
}

// Used returns how many requests key made inside its rule's window.
func Used(ctx context.Context, db *store.DB, k Key) (int, error) {
	var n int
	err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM quota_hits WHERE bucket = $1 AND at > $2`,
		k.bucket(), store.Micros(db.Now())-k.Rule.Per.Microseconds()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read quota %s: %w", k.Rule.Name, err)
	}
	return n, nil
}
