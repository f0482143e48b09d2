package radius

import (
	"strings"
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/vendors/mikrotik"
	"layeh.com/radius/vendors/wispr"
)

func TestAuthReply(t *testing.T) {
	t.Parallel()
	req := radius.New(radius.CodeAccessRequest, []byte("s"))
	eat := time.FixedZone("EAT", 3*3600)
	tests := []struct {
		name     string
		d        AuthDecision
		code     radius.Code
		outcome  Outcome
		check    func(t *testing.T, p *radius.Packet)
		wantsErr bool
	}{
		{"reject with message", AuthDecision{Verdict: Reject, Message: "Out of credit"}, radius.CodeAccessReject, OutcomeReject, func(t *testing.T, p *radius.Packet) {
			if got := rfc2865.ReplyMessage_GetString(p); got != "Out of credit" {
				t.Errorf("Reply-Message %q", got)
			}
		}, false},
		{"reject message cut at a character", AuthDecision{Verdict: Reject, Message: strings.Repeat("é", 200)}, radius.CodeAccessReject, OutcomeReject, func(t *testing.T, p *radius.Packet) {
			if got := rfc2865.ReplyMessage_GetString(p); len(got) != 252 || got != strings.Repeat("é", 126) {
				t.Errorf("Reply-Message of %d bytes", len(got))
			}
		}, false},
		{"accept, the interim interval by default", AuthDecision{Verdict: Accept}, radius.CodeAccessAccept, OutcomeAccept, func(t *testing.T, p *radius.Packet) {
			if got := rfc2869.AcctInterimInterval_Get(p); got != 300 {
				t.Errorf("Acct-Interim-Interval %d", got)
			}
			if _, err := rfc2865.SessionTimeout_Lookup(p); err == nil {
				t.Error("Session-Timeout sent without a limit")
			}
			if _, err := mikrotik.MikrotikTotalLimit_Lookup(p); err == nil {
				t.Error("Mikrotik-Total-Limit sent without a limit")
			}
		}, false},
		{"accept with everything", AuthDecision{Verdict: Accept, RateLimit: "2M/5M", SessionTimeout: 90*time.Second + time.Millisecond,
			DataLimit: 3<<32 + 7, InterimInterval: time.Minute, FramedPool: "pool1", AddressList: "vip",
			EndsAt: time.Date(2026, 3, 1, 23, 59, 0, 0, eat)}, radius.CodeAccessAccept, OutcomeAccept, func(t *testing.T, p *radius.Packet) {
			if got := mikrotik.MikrotikRateLimit_GetString(p); got != "2M/5M" {
				t.Errorf("rate limit %q", got)
			}
			if got := rfc2865.SessionTimeout_Get(p); got != 91 {
				t.Errorf("Session-Timeout %d, want 91 (rounded up)", got)
			}
			if lo, hi := mikrotik.MikrotikTotalLimit_Get(p), mikrotik.MikrotikTotalLimitGigawords_Get(p); lo != 7 || hi != 3 {
				t.Errorf("total limit %d + %d gigawords", lo, hi)
			}
			if got := rfc2869.AcctInterimInterval_Get(p); got != 60 {
				t.Errorf("interim %d", got)
			}
			if got := rfc2869.FramedPool_GetString(p); got != "pool1" {
				t.Errorf("pool %q", got)
			}
			if got := mikrotik.MikrotikAddressList_GetString(p); got != "vip" {
				t.Errorf("address list %q", got)
			}
			if got := wispr.WISPrSessionTerminateTime_GetString(p); got != "2026-03-01T23:59:00+03:00" {
				t.Errorf("terminate time %q", got)
			}
		}, false},
		{"walled garden", AuthDecision{Verdict: WalledGarden, AddressList: "pay-now", Message: "Pay to continue"}, radius.CodeAccessAccept, OutcomeWalledGarden, func(t *testing.T, p *radius.Packet) {
			if got := mikrotik.MikrotikAddressList_GetString(p); got != "pay-now" {
				t.Errorf("address list %q", got)
			}
			if got := rfc2865.ReplyMessage_GetString(p); got != "Pay to continue" {
				t.Errorf("Reply-Message %q", got)
			}
		}, false},
		// Without its list, a walled garden would be the open internet.
		{"walled garden without a list", AuthDecision{Verdict: WalledGarden, Message: "Pay to continue"}, radius.CodeAccessReject, OutcomeReject, nil, false},
		{"rate limit too long", AuthDecision{Verdict: Accept, RateLimit: strings.Repeat("1", 300)}, 0, "", nil, true},
		{"unknown verdict", AuthDecision{Verdict: 9}, 0, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, outcome, err := authReply(req, tt.d)
			if (err != nil) != tt.wantsErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				return
			}
			if p.Code != tt.code || outcome != tt.outcome {
				t.Errorf("code %v outcome %s, want %v %s", p.Code, outcome, tt.code, tt.outcome)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestJoinGigawords(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		octets, gigawords uint32
		want              int64
	}{{0, 0, 0}, {123, 0, 123}, {0, 1, 1 << 32}, {4294967295, 2, 3<<32 - 1}, {5, 1<<31 - 1, (1<<31-1)<<32 + 5}, {5, 1 << 31, (1<<31-1)<<32 + 5}} {
		if got := joinGigawords(tt.octets, tt.gigawords); got != tt.want {
			t.Errorf("joinGigawords(%d, %d) = %d, want %d", tt.octets, tt.gigawords, got, tt.want)
		}
	}
}
