package usage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/usage"
)

func rows(t *testing.T, db *store.DB) []string {
	t.Helper()
	got, err := store.Strings(context.Background(), db.Read(),
		`SELECT day || ' ' || channel || ' ' || action || ' ' || CAST(uses AS TEXT) FROM usage_daily ORDER BY day, channel, action`)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestCountsAddUpAcrossNodesAndDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 20:59 UTC is 23:59 in Nairobi; a minute later is the next day there.
		now := time.Date(2026, 3, 1, 20, 59, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a := &usage.Counter{DB: db, Now: clock}
		b := &usage.Counter{DB: db, Now: clock} // a second node
		a.Add(usage.USSD, usage.Tokens)
		a.Add(usage.USSD, usage.Tokens)
		b.Add(usage.USSD, usage.Tokens)
		b.Add(usage.SMS, "token") // the keyword's command name
		b.Add(usage.SMS, "bal")
		b.Add(usage.Web, "bal") // aliases are the SMS keywords' only
		for _, c := range []*usage.Counter{a, b} {
			if err := c.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(time.Minute)
		a.Add(usage.USSD, usage.Tokens)
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		a.Add(usage.USSD, usage.Tokens)
		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		want := []string{
			"2026-03-01 sms balance 1",
			"2026-03-01 sms tokens 1",
			"2026-03-01 ussd tokens 3",
			"2026-03-01 web bal 1",
			"2026-03-02 ussd tokens 2",
		}
		if got := rows(t, db); !slices.Equal(got, want) {
			t.Errorf("usage rows:\n got %q\nwant %q", got, want)
		}
	})
}

func TestFailedFlushKeepsItsCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &usage.Counter{DB: db, Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }}
		c.Add(usage.App, usage.Buy)
		dead, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c.Flush(dead); err == nil {
			t.Fatal("flush with a cancelled context succeeded")
		}
		c.Add(usage.App, usage.Buy)
		if err := c.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got, want := rows(t, db), []string{"2026-03-01 app buy 2"}; !slices.Equal(got, want) {
			t.Errorf("usage rows: got %q, want %q", got, want)
		}
	})
}

func TestRunFlushesWhenStopped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &usage.Counter{DB: db, Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var errs []error
		go func() {
			c.Run(ctx, time.Hour, func(err error) { errs = append(errs, err) })
			close(done)
		}()
		for i := range 3 {
			c.Add(usage.Staff, fmt.Sprint("assign", i%2))
		}
		cancel()
		<-done
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		want := []string{"2026-03-01 staff assign0 2", "2026-03-01 staff assign1 1"}
		if got := rows(t, db); !slices.Equal(got, want) {
			t.Errorf("usage rows: got %q, want %q", got, want)
		}
	})
}

func TestNilCounterCountsNothing(t *testing.T) {
	var c *usage.Counter
	c.Add(usage.USSD, usage.Tokens)
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}
