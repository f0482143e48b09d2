package radius

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/vendors/mikrotik"
	"layeh.com/radius/vendors/wispr"
)

// DefaultInterimInterval is the Acct-Interim-Interval sent when billing
// names none.
const DefaultInterimInterval = 5 * time.Minute

// WISPrTimeLayout is WISPr-Session-Terminate-Time's layout; the zone is
// the decision's own (routers compare the instant).
const WISPrTimeLayout = "2006-01-02T15:04:05-07:00"

// authReply turns billing's decision into the Access-Accept or -Reject
// answering req. A WalledGarden decision without an address list would
// let the user online unrestricted: it is answered with a Reject instead.
func authReply(req *radius.Packet, d AuthDecision) (*radius.Packet, Outcome, error) {
	switch d.Verdict {
	case Reject:
		return reject(req, d.Message)
	case Accept, WalledGarden:
	default:
		return nil, "", fmt.Errorf("unknown verdict %d", d.Verdict)
	}
	if d.Verdict == WalledGarden && d.AddressList == "" {
		return reject(req, d.Message)
	}
	p := req.Response(radius.CodeAccessAccept)
	if err := accept(p, d); err != nil {
		return nil, "", err
	}
	if d.Verdict == WalledGarden {
		return p, OutcomeWalledGarden, nil
	}
	return p, OutcomeAccept, nil
}

func reject(req *radius.Packet, msg string) (*radius.Packet, Outcome, error) {
	p := req.Response(radius.CodeAccessReject)
	if msg != "" {
		if err := rfc2865.ReplyMessage_AddString(p, truncate(msg, 253)); err != nil {
			return nil, "", err
		}
	}
	return p, OutcomeReject, nil
}

// accept adds the decision's limits to an Access-Accept.
func accept(p *radius.Packet, d AuthDecision) error {
	var errs []error
	add := func(name string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if d.Message != "" {
		add("Reply-Message", rfc2865.ReplyMessage_AddString(p, truncate(d.Message, 253)))
	}
	if d.RateLimit != "" {
		add("Mikrotik-Rate-Limit", mikrotik.MikrotikRateLimit_AddString(p, d.RateLimit))
	}
	if d.SessionTimeout > 0 {
		add("Session-Timeout", rfc2865.SessionTimeout_Add(p, rfc2865.SessionTimeout(seconds(d.SessionTimeout))))
	}
	interim := d.InterimInterval
	if interim <= 0 {
		interim = DefaultInterimInterval
	}
	add("Acct-Interim-Interval", rfc2869.AcctInterimInterval_Add(p, rfc2869.AcctInterimInterval(seconds(interim))))
	if d.FramedPool != "" {
		add("Framed-Pool", rfc2869.FramedPool_AddString(p, d.FramedPool))
	}
	if d.DataLimit > 0 {
		// Mikrotik-Total-Limit holds the low 32 bits, -Gigawords the rest.
		add("Mikrotik-Total-Limit", mikrotik.MikrotikTotalLimit_Add(p, mikrotik.MikrotikTotalLimit(uint32(d.DataLimit))))
		if gw := d.DataLimit >> 32; gw > 0 {
			add("Mikrotik-Total-Limit-Gigawords", mikrotik.MikrotikTotalLimitGigawords_Add(p, mikrotik.MikrotikTotalLimitGigawords(uint32(gw))))
		}
	}
	if d.AddressList != "" {
		add("Mikrotik-Address-List", mikrotik.MikrotikAddressList_AddString(p, d.AddressList))
	}
	if !d.EndsAt.IsZero() {
		add("WISPr-Session-Terminate-Time", wispr.WISPrSessionTerminateTime_AddString(p, d.EndsAt.Format(WISPrTimeLayout)))
	}
	return errors.Join(errs...)
}

// seconds rounds up, so that a little time left is never sent as 0
// (which would mean no limit), and caps at what the attribute holds.
func seconds(d time.Duration) uint32 {
	s := math.Ceil(d.Seconds())
	if s > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(s)
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
