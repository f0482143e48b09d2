package quota_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

func TestTake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		rule := quota.Rule{Name: "test.phone", Max: 3, Per: time.Hour}
		for i := range 3 {
			if err := quota.Take(ctx, db, rule.Of("254700000001")); err != nil {
				t.Fatalf("take %d: %v", i+1, err)
			}
			now = now.Add(time.Minute)
		}
		var ex *quota.Exceeded
		err := quota.Take(ctx, db, rule.Of("254700000001"))
		if !errors.As(err, &ex) || ex.Rule != rule || ex.RetryAfter != 57*time.Minute {
			t.Fatalf("fourth take: %v; want Exceeded, retry in 57m", err)
		}
		// Another key has its own count; a refused take counts nothing.
		if err := quota.Take(ctx, db, rule.Of("254700000002")); err != nil {
			t.Errorf("another key: %v", err)
		}
		if n, _ := quota.Used(ctx, db, rule.Of("254700000001")); n != 3 {
			t.Errorf("used %d, want 3: a refused take was counted", n)
		}
		// Several keys at once: all or nothing.
		other := quota.Rule{Name: "test.address", Max: 10, Per: time.Hour}
		if err := quota.Take(ctx, db, other.Of("10.0.0.1"), rule.Of("254700000001")); !errors.As(err, &ex) {
			t.Errorf("take over one limit of two: %v", err)
		}
		if n, _ := quota.Used(ctx, db, other.Of("10.0.0.1")); n != 0 {
			t.Errorf("the other key was counted though the take was refused: %d", n)
		}
		// The window slides.
		now = now.Add(58 * time.Minute)
		if err := quota.Take(ctx, db, rule.Of("254700000001")); err != nil {
			t.Errorf("after the first take left the window: %v", err)
		}
	})
}

// A limit on distinct items counts each item once per window.
func TestTakeDistinct(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rule := quota.Rule{Name: "test.meters", Max: 2, Per: time.Hour}
		key := rule.Of("254700000001")
		for _, m := range []string{"A", "A", "B", "A", "B", "B"} {
			if err := quota.Take(ctx, db, key.For(m)); err != nil {
				t.Fatalf("item %s: %v", m, err)
			}
		}
		var ex *quota.Exceeded
		if err := quota.Take(ctx, db, key.For("C")); !errors.As(err, &ex) {
			t.Errorf("third distinct item: %v, want Exceeded", err)
		}
		if err := quota.Take(ctx, db, key.For("A")); err != nil {
			t.Errorf("an item already counted: %v", err)
		}
	})
}

// Concurrent takes never pass a limit, on either engine.
func TestTakeConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rule := quota.Rule{Name: "test.race", Max: 5, Per: time.Hour}
		var wg sync.WaitGroup
		var mu sync.Mutex
		passed := 0
		for range 40 {
			wg.Go(func() {
				err := quota.Take(ctx, db, rule.Of("k"))
				var ex *quota.Exceeded
				if err != nil && !errors.As(err, &ex) {
					t.Error(err)
				}
				if err == nil {
					mu.Lock()
					passed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if passed != rule.Max {
			t.Errorf("%d of 40 concurrent takes passed a limit of %d", passed, rule.Max)
		}
	})
}

// BenchmarkTake measures one counted request (a login code asked for, a
// meter looked up): a write transaction with its count.
func BenchmarkTake(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			rule := quota.Rule{Name: "bench", Max: 1 << 30, Per: time.Hour}
			i := 0
			for b.Loop() {
				i++
				if err := quota.Take(context.Background(), db, rule.Of(fmt.Sprint(i%1000))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
