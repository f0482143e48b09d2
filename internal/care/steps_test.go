package care_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store/storetest"
)

// A USSD step asked on two nodes at once (the gateway resent the request
// to another node) runs once, and both get its answer; a failed step's
// resend fails too, without running again; after the TTL the key is free.
func TestUSSDStepsOnce(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			nodes := []care.USSDSteps{{DB: storetest.OpenDSN(t, dsn)}, {DB: storetest.OpenDSN(t, dsn)}}
			ctx := context.Background()
			var runs atomic.Int32
			var wg sync.WaitGroup
			answers := make([]string, 10)
			for i := range answers {
				wg.Go(func() {
					a, err := nodes[i%2].Once(ctx, "session-1\x00254700000001\x001*1*500*1", 5*time.Minute, func() (string, error) {
						runs.Add(1)
						time.Sleep(50 * time.Millisecond)
						return "Enter your M-Pesa PIN", nil
					})
					if err != nil {
						t.Error(err)
					}
					answers[i] = a
				})
			}
			wg.Wait()
			if runs.Load() != 1 {
				t.Errorf("the step ran %d times", runs.Load())
			}
			for i, a := range answers {
				if a != "Enter your M-Pesa PIN" {
					t.Errorf("caller %d got %q", i, a)
				}
			}
			boom := errors.New("backend down")
			if _, err := nodes[0].Once(ctx, "k2", time.Minute, func() (string, error) { return "", boom }); !errors.Is(err, boom) {
				t.Errorf("first try: %v", err)
			}
			if _, err := nodes[1].Once(ctx, "k2", time.Minute, func() (string, error) { runs.Add(1); return "x", nil }); !errors.Is(err, care.ErrStepFailed) {
				t.Errorf("a resend of a failed step: %v", err)
			}
			nodes[0].DB.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
			if a, err := nodes[0].Once(ctx, "k2", time.Minute, func() (string, error) { return "again", nil }); err != nil || a != "again" {
				t.Errorf("after the TTL: %q, %v", a, err)
			}
		})
	}
}
