package isp_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/isp"
)

func TestRateLimit(t *testing.T) {
	for _, c := range []struct {
		r    isp.RateLimit
		text string
	}{
		{isp.RateLimit{}, ""},
		{isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000}, "2M/5M"},
		{isp.RateLimit{Rx: 512_000, Tx: 1_500_000}, "512k/1500k"},
		{isp.RateLimit{Rx: 2_000_000, Tx: 5_000_000, BurstRx: 4_000_000, BurstTx: 10_000_000, ThresholdRx: 1_500_000, ThresholdTx: 4_000_000, BurstTime: 10 * time.Second},
			"2M/5M 4M/10M 1500k/4M 10/10"},
		{isp.RateLimit{Rx: 999, Tx: 0}, "999/0"},
	} {
		if got := c.r.String(); got != c.text {
			t.Errorf("%+v: %q, want %q", c.r, got, c.text)
		}
		back, err := isp.ParseRateLimit(c.text)
		if err != nil || back != c.r {
			t.Errorf("ParseRateLimit(%q) = %+v, %v", c.text, back, err)
		}
	}
	if r, err := isp.ParseRateLimit("1M"); err != nil || r != (isp.RateLimit{Rx: 1_000_000, Tx: 1_000_000}) {
		t.Errorf("one rate for both ways: %+v, %v", r, err)
	}
	for _, bad := range []string{"2M/5M 4M/10M", "fast", "2M/5M 1M/10M 1500k/4M 10/10", "2M/5M 4M/10M 3M/4M 10/10", "2M/5M 4M/10M 1500k/4M 10/20",
		"2M/5M 4M/10M 1500k/4M 0/0", "-1M/5M", "99999999999M/1M"} {
		if _, err := isp.ParseRateLimit(bad); !errors.Is(err, isp.ErrRate) {
			t.Errorf("ParseRateLimit(%q): %v, want ErrRate", bad, err)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	good := isp.Plan{ID: "daily", Name: "Daily", Kind: isp.Hotspot, Billing: isp.Bundle, Price: kes(50), Duration: 24 * time.Hour, SharedUsers: 1, Active: true}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		change func(*isp.Plan)
	}{
		{"bad id", func(p *isp.Plan) { p.ID = "Daily Plan" }},
		{"no name", func(p *isp.Plan) { p.Name = "" }},
		{"kind", func(p *isp.Plan) { p.Kind = "dialup" }},
		{"billing", func(p *isp.Plan) { p.Billing = "yearly" }},
		{"negative price", func(p *isp.Plan) { p.Price = -100 }},
		{"cents", func(p *isp.Plan) { p.Price = 5050 }},
		{"price too high", func(p *isp.Plan) { p.Price = isp.MaxPrice + 100 }},
		{"neither time nor data", func(p *isp.Plan) { p.Duration = 0 }},
		{"seconds", func(p *isp.Plan) { p.Duration = 90 * time.Second }},
		{"monthly with a duration", func(p *isp.Plan) { p.Billing = isp.Monthly }},
		{"no devices", func(p *isp.Plan) { p.SharedUsers = 0 }},
		{"fair use without a speed", func(p *isp.Plan) { p.FairUseAfter = isp.GB }},
		{"fair use past the data", func(p *isp.Plan) {
			p.Data, p.FairUseAfter, p.FairUseRate = isp.GB, 2*isp.GB, isp.RateLimit{Rx: 1000, Tx: 1000}
		}},
		{"grace on a bundle", func(p *isp.Plan) { p.Grace = time.Hour }},
		{"own fallback", func(p *isp.Plan) { p.Fallback = p.ID }},
		{"bad burst", func(p *isp.Plan) {
			p.Rate = isp.RateLimit{Rx: 1000, Tx: 1000, BurstRx: 500, BurstTx: 500, ThresholdRx: 100, ThresholdTx: 100, BurstTime: time.Second}
		}},
	} {
		p := good
		c.change(&p)
		if err := p.Validate(); !errors.Is(err, isp.ErrPlan) {
			t.Errorf("%s: %v, want ErrPlan", c.name, err)
		}
	}
}
