package smpp

import (
	"testing"
	"time"
)

func TestLimiterPaces(t *testing.T) {
	l := newLimiter(10, 1, 5*time.Second)
	t0 := time.Unix(1_700_000_000, 0)
	// Three submits at the same instant are spread 100 ms apart.
	for i, want := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond} {
		if got := l.reserve(t0); got != want {
			t.Errorf("reserve %d waits %v, want %v", i, got, want)
		}
	}
	// After a pause no credit is saved up: the next submit goes at once
	// and the one after waits a full interval.
	t1 := t0.Add(10 * time.Second)
	if got := l.reserve(t1); got != 0 {
		t.Errorf("after a pause: wait %v, want 0", got)
	}
	if got := l.reserve(t1); got != 100*time.Millisecond {
		t.Errorf("second after a pause: wait %v, want 100ms", got)
	}
}

func TestLimiterThrottleHalvesAndRecovers(t *testing.T) {
	l := newLimiter(40, 5, 5*time.Second)
	t0 := time.Unix(1_700_000_000, 0)

	l.throttled(t0, t0)
	if got := l.current(); got != 20 {
		t.Fatalf("after one throttle rate = %v, want 20", got)
	}
	// A submit that left before the cut was throttled too: no second cut.
	l.throttled(t0.Add(-time.Millisecond), t0.Add(10*time.Millisecond))
	if got := l.current(); got != 20 {
		t.Fatalf("stale throttle changed the rate to %v", got)
	}
	// The next submit waits at least one interval at the new rate.
	if got := l.reserve(t0); got < 50*time.Millisecond {
		t.Errorf("first submit after a throttle waits %v, want >= 50ms", got)
	}
	// Submits sent after the cut and throttled again cut again, to the floor.
	for i := 1; i <= 4; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		l.throttled(at, at)
	}
	if got := l.current(); got != 5 {
		t.Fatalf("rate after repeated throttles = %v, want the floor 5", got)
	}
	// Recovery: a quarter up for each quiet RecoverEvery, capped at max.
	at := t0.Add(4 * time.Second)
	var rates []float64
	for range 12 {
		at = at.Add(5 * time.Second)
		l.reserve(at)
		rates = append(rates, l.current())
	}
	if rates[0] != 6.25 {
		t.Errorf("first step up to %v, want 6.25", rates[0])
	}
	for i := 1; i < len(rates); i++ {
		if rates[i] < rates[i-1] {
			t.Errorf("rate fell during recovery: %v", rates)
		}
	}
	if last := rates[len(rates)-1]; last != 40 {
		t.Errorf("rate after a long quiet spell = %v, want 40", last)
	}
}
