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

// limiterEvent is one step of a limiter's story: a throttle of a submit
// sent at the same moment, or a look at the rate.
type limiterEvent struct {
	at       time.Duration // since the story's start
	throttle bool
	want     float64 // the rate after the event
}

func TestLimiterRate(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// Down to the floor of 500/16 = 31.25 by four throttles, the last at 300 ms.
	toFloor := []limiterEvent{
		{at: 0, throttle: true, want: 250},
		{at: ms(100), throttle: true, want: 125},
		{at: ms(200), throttle: true, want: 62.5},
		{at: ms(300), throttle: true, want: 31.25},
	}
	tests := []struct {
		name   string
		events []limiterEvent
	}{
		{"throttles halve", toFloor},
		{"never below the floor", append(toFloor[:4:4],
			limiterEvent{at: ms(400), throttle: true, want: 31.25},
			limiterEvent{at: ms(500), throttle: true, want: 31.25},
		)},
		{"quiet seconds double up to the cap", append(toFloor[:4:4],
			limiterEvent{at: ms(1299), want: 31.25},
			limiterEvent{at: ms(1300), want: 62.5},
			limiterEvent{at: ms(2300), want: 125},
			limiterEvent{at: ms(3300), want: 250},
			limiterEvent{at: ms(4300), want: 500},
			limiterEvent{at: ms(5300), want: 500},
			limiterEvent{at: ms(60_000), want: 500},
		)},
		{"a throttle during recovery halves again", append(toFloor[:4:4],
			limiterEvent{at: ms(2300), want: 125},
			limiterEvent{at: ms(2500), throttle: true, want: 62.5},
			// The next step counts from the new cut, not the old one.
			limiterEvent{at: ms(3300), want: 62.5},
			limiterEvent{at: ms(3500), want: 125},
			limiterEvent{at: ms(6500), want: 500},
		)},
		{"a throttle after a long quiet spell halves the full rate", append(toFloor[:4:4],
			limiterEvent{at: ms(20_000), throttle: true, want: 250},
		)},
		{"an outage counts as time without throttles", append(toFloor[:4:4],
			// Nothing sent for 8 s: the first look finds the full rate.
			limiterEvent{at: ms(8300), want: 500},
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(500, 500.0/16, time.Second)
			t0 := time.Unix(1_700_000_000, 0)
			for i, ev := range tt.events {
				at := t0.Add(ev.at)
				if ev.throttle {
					l.throttled(at, at)
				}
				if got := l.rateAt(at); got != ev.want {
					t.Fatalf("event %d at %v (throttle %v): rate %v, want %v", i, ev.at, ev.throttle, got, ev.want)
				}
			}
		})
	}
}

func TestLimiterIgnoresStaleThrottles(t *testing.T) {
	l := newLimiter(40, 5, time.Second)
	t0 := time.Unix(1_700_000_000, 0)
	l.throttled(t0, t0)
	// A submit that left before the cut was throttled too: no second cut.
	l.throttled(t0.Add(-time.Millisecond), t0.Add(10*time.Millisecond))
	if got := l.rateAt(t0.Add(10 * time.Millisecond)); got != 20 {
		t.Fatalf("stale throttle changed the rate to %v, want 20", got)
	}
	// The next submit waits at least one interval at the new rate.
	if got := l.reserve(t0); got < 50*time.Millisecond {
		t.Errorf("first submit after a throttle waits %v, want >= 50ms", got)
	}
}

// With the default floor and step, a route is back at its configured
// rate within 10 s of its last throttle, whatever the rate, and its
// submits are paced at that rate again.
func TestLimiterRecoversWithinTenSeconds(t *testing.T) {
	for _, tps := range []float64{1, 10, 100, 500, 5000} {
		cfg := Config{TPS: tps}.WithDefaults()
		l := newLimiter(cfg.TPS, cfg.MinTPS, cfg.RecoverEvery)
		t0 := time.Unix(1_700_000_000, 0)
		var last time.Time
		for i := range 20 {
			last = t0.Add(time.Duration(i) * 10 * time.Millisecond)
			l.throttled(last, last)
		}
		if got := l.rateAt(last); got != cfg.MinTPS {
			t.Fatalf("TPS %v: rate after 20 throttles = %v, want the floor %v", tps, got, cfg.MinTPS)
		}
		back := last.Add(10 * time.Second)
		if got := l.rateAt(back); got != tps {
			t.Errorf("TPS %v: rate 10 s after the last throttle = %v", tps, got)
		}
		l.reserve(back)
		if got, want := l.reserve(back), time.Duration(float64(time.Second)/tps); got != want {
			t.Errorf("TPS %v: second submit waits %v, want one interval %v", tps, got, want)
		}
	}
}
