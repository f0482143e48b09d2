package ussd

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestOnceCacheCap(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	c := newOnceCache(time.Hour, 3, func() time.Time { return now })
	runs := 0
	f := func() (string, error) { runs++; return fmt.Sprint("run ", runs), nil }
	for _, k := range []string{"a", "b", "c", "a", "d", "e"} {
		now = now.Add(time.Second)
		if _, err := c.do(context.Background(), k, f); err != nil {
			t.Fatal(err)
		}
	}
	// a, b, c ran; a was answered from the cache; d and e pushed a and b out.
	if runs != 5 || c.len() != 3 {
		t.Fatalf("runs %d, entries %d; want 5 and 3", runs, c.len())
	}
	if got, _ := c.do(context.Background(), "c", f); got != "run 3" {
		t.Errorf("c = %q, want the cached %q", got, "run 3")
	}
	if got, _ := c.do(context.Background(), "a", f); got != "run 6" {
		t.Errorf("a = %q, want a fresh run", got)
	}
}

func TestOnceCacheKeepsErrors(t *testing.T) {
	t.Parallel()
	c := newOnceCache(time.Hour, 10, time.Now)
	boom := errors.New("boom")
	runs := 0
	for range 2 {
		_, err := c.do(context.Background(), "k", func() (string, error) { runs++; return "", boom })
		if !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	}
	if runs != 1 {
		t.Errorf("runs = %d: a failed step must not be retried by a resend", runs)
	}
}

func TestOnceCacheWaiterGivesUp(t *testing.T) {
	t.Parallel()
	c := newOnceCache(time.Hour, 10, time.Now)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() {
		s, _ := c.do(context.Background(), "k", func() (string, error) {
			close(started)
			<-release
			return "first", nil
		})
		done <- s
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.do(ctx, "k", func() (string, error) { return "second", nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("waiter err = %v, want context.Canceled", err)
	}
	close(release)
	if s := <-done; s != "first" {
		t.Errorf("first = %q", s)
	}
}
