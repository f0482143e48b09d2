package store_test

import (
	"testing"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// The front follows the oldest row each claim took, less the margin, and
// never moves back; a claim is a sweep every FrontSweep, after a full sweep
// that found rows behind the front, and after Reset.
func TestFront(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	us := func(d time.Duration) int64 { return store.Micros(at(d)) }
	margin := store.FrontMargin
	var f store.Front
	type step struct {
		name      string
		now       time.Duration
		wantFrom  int64
		wantSweep bool
		// then the claim takes n of most, the oldest at oldest
		n, most int
		oldest  time.Duration
		reset   bool
	}
	steps := []step{
		{name: "first claim sweeps", now: 0, wantFrom: 0, wantSweep: true, n: 3, most: 5, oldest: -time.Second},
		{name: "then begins before the oldest taken", now: time.Second, wantFrom: us(-time.Second - margin), n: 0, most: 5},
		{name: "an empty claim moved it to its time less the margin", now: 2 * time.Second, wantFrom: us(time.Second - margin), n: 2, most: 5, oldest: -time.Minute},
		{name: "an older row taken did not move it back", now: 3 * time.Second, wantFrom: us(time.Second - margin)},
		{name: "a sweep every FrontSweep", now: store.FrontSweep, wantFrom: 0, wantSweep: true, n: 5, most: 5, oldest: -time.Hour},
		{name: "a full sweep behind the front sweeps again", now: store.FrontSweep + time.Millisecond, wantFrom: 0, wantSweep: true, n: 2, most: 5, oldest: -time.Hour},
		{name: "a sweep that was not full does not", now: store.FrontSweep + 2*time.Millisecond, wantFrom: us(3*time.Second - margin), reset: true},
		{name: "after Reset the next claim sweeps", now: store.FrontSweep + 3*time.Millisecond, wantFrom: 0, wantSweep: true},
		{name: "a clock that went back sweeps", now: 0, wantFrom: 0, wantSweep: true},
	}
	for _, s := range steps {
		from, sweep := f.Start(at(s.now))
		if from != s.wantFrom || sweep != s.wantSweep {
			t.Fatalf("%s: Start = %d, %v; want %d, %v", s.name, from, sweep, s.wantFrom, s.wantSweep)
		}
		f.Advance(at(s.now), sweep, us(s.oldest), s.n, s.most)
		if s.reset {
			f.Reset()
		}
	}
}
