package isp

import (
	"sync"
	"time"
)

// Voucher codes typed at a hotspot's login page come to us as RADIUS
// usernames, so a guesser behind a router can try codes as fast as the
// router forwards logins. 12 digits are 10^12 codes; with 10,000 unused
// vouchers out, one guess in 10^8 wins, which at a hundred guesses a
// second is one voucher a fortnight. So a voucher's first login (the only
// kind a guess is) is limited per device (Calling-Station-Id, the MAC) and
// per router, counting the codes that were no voucher. Over the limit,
// every voucher's first login from there is refused, a real one too: a
// limit that let real codes through would let a guesser's lucky one
// through. Logins of accounts that exist, a redeemed voucher's included,
// are not limited.
//
// The counts live in memory, per node: they guard against a flood, which
// the database should not have to absorb one write per guess, and several
// nodes multiply the limits by their number, which keeps them far above
// anything a guesser can use.
const (
	voucherMissesPerDevice = 10  // an hour: a customer mistyping is told after a few
	voucherMissesPerRouter = 300 // an hour, from all of a router's devices
	voucherMissWindow      = time.Hour
)

// voucherTriesMessage is the refusal once a device or router has tried too
// many codes.
const voucherTriesMessage = "Too many voucher codes tried: wait an hour, or buy a bundle by M-Pesa"

type voucherTries struct {
	mu     sync.Mutex
	window time.Time // the start of the current hour's counts
	misses map[string]int
}

// allowed reports whether a voucher's first login may be tried from this
// router and device at now.
func (v *voucherTries) allowed(router, device string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.roll(now)
	return v.misses["r|"+router] < voucherMissesPerRouter && (device == "" || v.misses["d|"+router+"|"+device] < voucherMissesPerDevice)
}

// missed counts a code that was no voucher.
func (v *voucherTries) missed(router, device string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.roll(now)
	v.misses["r|"+router]++
	if device != "" {
		v.misses["d|"+router+"|"+device]++
	}
}

// roll starts new counts each hour: a fixed window, so the memory held is
// bounded by one hour's misses.
func (v *voucherTries) roll(now time.Time) {
	if v.misses == nil || now.Sub(v.window) >= voucherMissWindow || now.Before(v.window) {
		v.window, v.misses = now, map[string]int{}
	}
}
