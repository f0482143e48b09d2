package isp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RateLimit is a speed profile as MikroTik's Mikrotik-Rate-Limit attribute
// carries it, in bits per second from the router's side: rx is what the
// client sends (upload), tx what it receives (download). A burst lets a
// client run at the burst rate while its average over the burst time stays
// under the threshold. Zero values leave a part out.
type RateLimit struct {
	Rx, Tx                   int64 // max-limit
	BurstRx, BurstTx         int64 // burst-limit
	ThresholdRx, ThresholdTx int64 // burst-threshold
	BurstTime                time.Duration
}

// IsZero reports whether no limit is set (no attribute is sent).
func (r RateLimit) IsZero() bool { return r == RateLimit{} }

// String is the attribute's text: "2M/5M 4M/10M 1500k/4M 10/10", or "" for
// no limit. RouterOS counts k as 1000 and M as 1000000.
func (r RateLimit) String() string {
	if r.IsZero() {
		return ""
	}
	s := pair(r.Rx, r.Tx)
	if r.BurstRx > 0 || r.BurstTx > 0 {
		secs := strconv.FormatInt(int64(r.BurstTime/time.Second), 10)
		s += " " + pair(r.BurstRx, r.BurstTx) + " " + pair(r.ThresholdRx, r.ThresholdTx) + " " + secs + "/" + secs
	}
	return s
}

func pair(rx, tx int64) string { return bps(rx) + "/" + bps(tx) }

func bps(n int64) string {
	switch {
	case n != 0 && n%1_000_000 == 0:
		return strconv.FormatInt(n/1_000_000, 10) + "M"
	case n != 0 && n%1000 == 0:
		return strconv.FormatInt(n/1000, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// ErrRate is wrapped by every error about a speed profile.
var ErrRate = errors.New("bad speed profile")

// Validate checks that the profile is one a router takes: rates not
// negative, and a burst above the limit it bursts from, with a threshold
// at or below that limit and a burst time of 1 to 3600 seconds.
func (r RateLimit) Validate() error {
	for _, n := range []int64{r.Rx, r.Tx, r.BurstRx, r.BurstTx, r.ThresholdRx, r.ThresholdTx} {
		if n < 0 || n > 100_000_000_000 {
			return fmt.Errorf("%w: rates are 0 to 100G bits per second", ErrRate)
		}
	}
	if r.BurstRx == 0 && r.BurstTx == 0 {
		if r.ThresholdRx != 0 || r.ThresholdTx != 0 || r.BurstTime != 0 {
			return fmt.Errorf("%w: a burst threshold or time without a burst rate", ErrRate)
		}
		return nil
	}
	for _, d := range []struct {
		name                  string
		limit, burst, thresho int64
	}{{"upload (rx)", r.Rx, r.BurstRx, r.ThresholdRx}, {"download (tx)", r.Tx, r.BurstTx, r.ThresholdTx}} {
		switch {
		case d.burst == 0:
		case d.limit == 0:
			return fmt.Errorf("%w: %s burst needs a limit to burst from", ErrRate, d.name)
		case d.burst <= d.limit:
			return fmt.Errorf("%w: %s burst %s is not above its limit %s", ErrRate, d.name, bps(d.burst), bps(d.limit))
		case d.thresho <= 0 || d.thresho > d.limit:
			return fmt.Errorf("%w: %s burst threshold must be above 0 and at most the limit %s", ErrRate, d.name, bps(d.limit))
		}
	}
	if r.BurstTime < time.Second || r.BurstTime > time.Hour || r.BurstTime%time.Second != 0 {
		return fmt.Errorf("%w: burst time is whole seconds, 1 to 3600", ErrRate)
	}
	return nil
}

// ParseRateLimit reads the attribute's text ("2M/5M", "2M/5M 4M/10M
// 1500k/4M 10/10"); a single number sets both directions. Only the parts
// up to the burst time are taken: priority and minimum rates are not used.
func ParseRateLimit(s string) (RateLimit, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return RateLimit{}, nil
	}
	if len(f) != 1 && len(f) != 4 {
		return RateLimit{}, fmt.Errorf("%w: %q: want rx/tx, or rx/tx burst-rx/burst-tx threshold-rx/threshold-tx time/time", ErrRate, s)
	}
	var r RateLimit
	parts := []*[2]int64{{}, {}, {}, {}}
	for i, field := range f {
		a, b, ok := strings.Cut(field, "/")
		if !ok {
			b = a
		}
		for j, v := range []string{a, b} {
			n, err := parseBPS(v, i == 3)
			if err != nil {
				return RateLimit{}, fmt.Errorf("%w: %q: %v", ErrRate, s, err)
			}
			parts[i][j] = n
		}
	}
	r.Rx, r.Tx = parts[0][0], parts[0][1]
	r.BurstRx, r.BurstTx = parts[1][0], parts[1][1]
	r.ThresholdRx, r.ThresholdTx = parts[2][0], parts[2][1]
	if parts[3][0] != parts[3][1] {
		return RateLimit{}, fmt.Errorf("%w: %q: one burst time both ways", ErrRate, s)
	}
	r.BurstTime = time.Duration(parts[3][0]) * time.Second
	return r, r.Validate()
}

func parseBPS(v string, seconds bool) (int64, error) {
	mult := int64(1)
	switch {
	case seconds:
	case strings.HasSuffix(v, "M"):
		mult, v = 1_000_000, v[:len(v)-1]
	case strings.HasSuffix(v, "k"):
		mult, v = 1000, v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 100_000_000_000/mult {
		return 0, fmt.Errorf("%q is not a rate", v)
	}
	return n * mult, nil
}
