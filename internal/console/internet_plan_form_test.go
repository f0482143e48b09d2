package console

import (
	"net/url"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
)

// validPlan is a plan form that reads and passes isp.Plan.Validate.
func validPlan() url.Values {
	return url.Values{"id": {"daily-1gb"}, "name": {"Daily 1 GB"}, "kind": {"hotspot"}, "billing": {"bundle"}, "price": {"50"},
		"duration": {"24h"}, "data": {"1 GB"}, "rate": {"2M/5M 4M/10M 1500k/4M 10/10"}, "shared": {"1"}, "active": {"1"}}
}

// Every rule of isp.Plan.Validate, broken in turn, is shown beside the
// field it is about, in the page's words: none falls through to the
// message above the form.
func TestPlanFormPutsEachProblemBesideItsField(t *testing.T) {
	if pf, p := readPlanForm(&form{lang: langEN, values: validPlan()}); len(pf.Errs) > 0 || pf.Err != "" || p.Data != isp.GB || p.Duration != 24*time.Hour {
		t.Fatalf("a valid plan: %+v, %+v", pf, p)
	}
	for _, tt := range []struct {
		change map[string]string
		field  string
	}{
		{map[string]string{"id": "Daily 1GB"}, "id"},
		{map[string]string{"name": ""}, "name"},
		{map[string]string{"kind": "dialup"}, "kind"},
		{map[string]string{"billing": "yearly"}, "billing"},
		{map[string]string{"price": "fifty"}, "price"},
		{map[string]string{"price": "50.50"}, "price"},
		{map[string]string{"price": "2000000"}, "price"},
		{map[string]string{"duration": "90s"}, "duration"},
		{map[string]string{"duration": "400d"}, "duration"},
		{map[string]string{"billing": "monthly"}, "duration"},
		{map[string]string{"duration": "", "data": ""}, "duration"},
		{map[string]string{"data": "lots"}, "data"},
		{map[string]string{"shared": "0"}, "shared"},
		{map[string]string{"shared": "two"}, "shared"},
		{map[string]string{"fair_after": "500 MB"}, "fair_rate"},
		{map[string]string{"fair_after": "2 GB", "fair_rate": "1M/1M"}, "fair_after"},
		{map[string]string{"fair_after": "a lot"}, "fair_after"},
		{map[string]string{"grace": "3d"}, "grace"},
		{map[string]string{"billing": "monthly", "duration": "", "grace": "40d"}, "grace"},
		{map[string]string{"grace": "soon"}, "grace"},
		{map[string]string{"fallback": "daily-1gb"}, "fallback"},
		{map[string]string{"pool": string(make([]byte, 61))}, "pool"},
		{map[string]string{"rate": "fast"}, "rate"},
		{map[string]string{"rate": "5M/5M 1M/1M 1M/1M 10/10"}, "rate"}, // a burst below the limit
		{map[string]string{"fair_after": "500 MB", "fair_rate": "slow"}, "fair_rate"},
	} {
		values := validPlan()
		for k, v := range tt.change {
			values.Set(k, v)
		}
		for _, lang := range []string{langEN, langSW} {
			pf, _ := readPlanForm(&form{lang: lang, values: values})
			if pf.Err != "" || len(pf.Errs) != 1 || pf.Errs[tt.field] == "" || pf.Errs[tt.field] == "plan.bad."+tt.field {
				t.Errorf("%v in %s: problems %q, above the form %q; want one, beside %s", tt.change, lang, pf.Errs, pf.Err, tt.field)
			}
		}
	}
}

// What a form shows of a stored plan reads back as the same plan: saving a
// plan's page unchanged changes nothing.
func TestPlanFormRoundTrip(t *testing.T) {
	for _, p := range []isp.Plan{
		{ID: "a", Name: "A", Kind: isp.Hotspot, Billing: isp.Bundle, Price: 5000, Duration: 5 * time.Minute, Data: 100 * isp.MB, SharedUsers: 1, Active: true},
		{ID: "b", Name: "B", Kind: isp.PPPoE, Billing: isp.Monthly, Price: 250000, Rate: isp.RateLimit{Rx: 10_000_000, Tx: 10_000_000}, SharedUsers: 5,
			FairUseAfter: 300 * isp.GB, FairUseRate: isp.RateLimit{Rx: 2_000_000, Tx: 2_000_000}, Grace: 3 * 24 * time.Hour, FramedPool: "home"},
		{ID: "c", Name: "C", Kind: isp.Hotspot, Billing: isp.Bundle, Price: 10000, Duration: 90 * time.Minute, Data: 1_500 * isp.MB, SharedUsers: 2,
			Rate: isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000, BurstRx: 4_000_000, BurstTx: 10_000_000, ThresholdRx: 1_500_000, ThresholdTx: 4_000_000, BurstTime: 10 * time.Second}},
		{ID: "d", Name: "D", Kind: isp.Hotspot, Billing: isp.Bundle, Price: 10000, Data: 1_234_567, SharedUsers: 1},
	} {
		f := planFormOf(p)
		values := url.Values{"id": {f.ID}, "name": {f.Name}, "kind": {f.Kind}, "billing": {f.Billing}, "price": {f.Price}, "duration": {f.Duration},
			"data": {f.Data}, "rate": {f.Rate}, "shared": {f.Shared}, "fair_after": {f.FairAfter}, "fair_rate": {f.FairRate}, "fallback": {f.Fallback},
			"grace": {f.Grace}, "pool": {f.Pool}}
		if f.Active {
			values.Set("active", "1")
		}
		pf, got := readPlanForm(&form{lang: langEN, values: values})
		if len(pf.Errs) > 0 || pf.Err != "" || got != p {
			t.Errorf("plan %s: shown as %+v, read back as %+v (%v %s)", p.ID, f, got, pf.Errs, pf.Err)
		}
	}
}

// The phrases the ISP's pages build from billing's values (a state, a
// change's outcome, how a purchase was paid) exist in both languages for
// every value billing has.
func TestInternetPhrasesForEveryValue(t *testing.T) {
	for prefix, values := range map[string][]string{
		"substate.":     {isp.Pending, isp.Active, isp.Grace, isp.Suspended, isp.Terminated},
		"coa.":          {isp.ChangePending, isp.ChangeAcked, isp.ChangeDone, isp.ChangeFailed},
		"paidby.":       {isp.PaidByWallet, isp.PaidByVoucher, isp.PaidFree},
		"entry.":        {isp.EntryPayment, isp.EntryPurchase},
		"plan.kind.":    {isp.Hotspot, isp.PPPoE},
		"plan.billing.": {isp.Bundle, isp.Monthly},
	} {
		for _, v := range values {
			for _, lang := range []map[string]string{english, swahili} {
				if lang[prefix+v] == "" {
					t.Errorf("no phrase %s%s", prefix, v)
				}
			}
		}
	}
	for _, r := range planRules {
		if english[r.key] == "" || swahili[r.key] == "" {
			t.Errorf("plan rule %q: no phrase %s", r.prefix, r.key)
		}
	}
	for _, r := range nasRules {
		if english[r.key] == "" || swahili[r.key] == "" {
			t.Errorf("router rule %q: no phrase %s", r.words, r.key)
		}
	}
}
