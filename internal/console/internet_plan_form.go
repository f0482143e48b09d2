package console

import (
	"cmp"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// planForm is a plan as its form shows it: every field as text, and what
// is wrong with each, shown beside it.
type planForm struct {
	ID, Name, Kind, Billing, Price, Duration, Data, Rate, Shared string
	FairAfter, FairRate, Fallback, Grace, Pool                   string
	Active                                                       bool
	Errs                                                         map[string]string
	Err                                                          string // a problem of no one field
}

// Bad is the problem with field, "" when none.
func (f planForm) Bad(field string) string { return f.Errs[field] }

// planFormOf shows a stored plan in its form.
func planFormOf(p isp.Plan) planForm {
	return planForm{ID: p.ID, Name: p.Name, Kind: p.Kind, Billing: p.Billing, Price: strconv.FormatInt(p.Price.Major(), 10),
		Duration: showSpan(p.Duration), Data: showData(p.Data), Rate: p.Rate.String(), Shared: strconv.Itoa(p.SharedUsers),
		FairAfter: showData(p.FairUseAfter), FairRate: p.FairUseRate.String(), Fallback: p.Fallback, Grace: showSpan(p.Grace),
		Pool: p.FramedPool, Active: p.Active}
}

// readPlanForm reads a posted plan: each field that cannot be read is a
// problem beside it; the plan is then checked whole by isp.Plan.Validate.
func readPlanForm(f *form) (planForm, isp.Plan) {
	pf := planForm{ID: strings.ToLower(f.str("id")), Name: f.str("name"), Kind: f.str("kind"), Billing: f.str("billing"),
		Price: f.str("price"), Duration: f.str("duration"), Data: f.str("data"), Rate: f.str("rate"), Shared: f.str("shared"),
		FairAfter: f.str("fair_after"), FairRate: f.str("fair_rate"), Fallback: f.str("fallback"), Grace: f.str("grace"),
		Pool: f.str("pool"), Active: f.str("active") != "", Errs: map[string]string{}}
	p := isp.Plan{ID: pf.ID, Name: pf.Name, Kind: pf.Kind, Billing: pf.Billing, Fallback: pf.Fallback, FramedPool: pf.Pool, Active: pf.Active}
	bad := func(field, key string) { pf.Errs[field] = t(f.lang, key) }
	if price, err := money.Parse(pf.Price); err != nil {
		bad("price", "plan.bad.price")
	} else {
		p.Price = price
	}
	var err error
	if p.Duration, err = parseSpan(pf.Duration); err != nil {
		bad("duration", "plan.bad.span")
	}
	if p.Grace, err = parseSpan(pf.Grace); err != nil {
		bad("grace", "plan.bad.span")
	}
	if p.Data, err = parseData(pf.Data); err != nil {
		bad("data", "plan.bad.data")
	}
	if p.FairUseAfter, err = parseData(pf.FairAfter); err != nil {
		bad("fair_after", "plan.bad.data")
	}
	if p.Rate, err = isp.ParseRateLimit(pf.Rate); err != nil {
		bad("rate", "plan.bad.rate")
	}
	if p.FairUseRate, err = isp.ParseRateLimit(pf.FairRate); err != nil {
		bad("fair_rate", "plan.bad.rate")
	}
	if p.SharedUsers, err = strconv.Atoi(cmp.Or(pf.Shared, "1")); err != nil {
		bad("shared", "plan.bad.shared")
	}
	if len(pf.Errs) == 0 {
		pf.refused(p.Validate(), f.lang)
	}
	return pf, p
}

// planRules are isp.Plan.Validate's rules, by the words its error starts
// with, and the field each is about. A test breaks every rule in turn, so
// a rule added to Validate without its field here is caught.
var planRules = []struct{ prefix, field, key string }{
	{"the id", "id", "plan.bad.id"},
	{"the name", "name", "plan.bad.name"},
	{"the kind", "kind", "plan.bad.kind"},
	{"the billing", "billing", "plan.bad.billing"},
	{"the price is whole", "price", "plan.bad.whole"},
	{"the price", "price", "plan.bad.pricerange"},
	{"the duration", "duration", "plan.bad.duration"},
	{"a monthly plan lasts", "duration", "plan.bad.monthly"},
	{"a bundle is sold by", "duration", "plan.bad.bundle"},
	{"data is", "data", "plan.bad.data"},
	{"shared users", "shared", "plan.bad.shared"},
	{"fair use is not", "fair_after", "plan.bad.data"},
	{"fair use needs", "fair_rate", "plan.bad.fairrate"},
	{"fair use must start", "fair_after", "plan.bad.fairafter"},
	{"grace is for", "grace", "plan.bad.gracebundle"},
	{"grace", "grace", "plan.bad.grace"},
	{"a plan cannot fall back", "fallback", "plan.bad.fallbackself"},
	{"the framed pool", "pool", "plan.bad.pool"},
	{"speed:", "rate", "plan.bad.rate"},
	{"fair-use speed:", "fair_rate", "plan.bad.rate"},
	{"its fallback", "fallback", "plan.bad.fallback"},
}

// refused puts what billing refused beside its field; a problem of no
// known field is shown above the form.
func (pf *planForm) refused(err error, lang string) {
	if err == nil {
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		pf.Errs["fallback"] = t(lang, "plan.bad.fallback")
		return
	}
	if errors.Is(err, isp.ErrPlan) {
		_, rule, _ := strings.Cut(err.Error(), isp.ErrPlan.Error()+": ")
		for _, r := range planRules {
			if strings.HasPrefix(rule, r.prefix) {
				pf.Errs[r.field] = t(lang, r.key)
				return
			}
		}
	}
	pf.Err = err.Error()
}

// parseSpan reads a duration as staff write it: "30m", "24h", "7d", or
// "" for none.
func parseSpan(s string) (time.Duration, error) {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	if s == "" || s == "0" {
		return 0, nil
	}
	units := map[string]time.Duration{"m": time.Minute, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, errors.New("a number and a unit: 30m, 24h, 7d")
	}
	n, err := strconv.ParseInt(s[:i], 10, 32)
	unit, ok := units[s[i:]]
	if err != nil || !ok {
		return 0, errors.New("a number and a unit: 30m, 24h, 7d")
	}
	return time.Duration(n) * unit, nil
}

// showSpan writes a duration as parseSpan reads it.
func showSpan(d time.Duration) string {
	switch {
	case d == 0:
		return ""
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// parseData reads a size as ISPs sell it, decimal: "500 MB", "1.5 GB",
// "2 TB", or "" for none (unlimited).
func parseData(s string) (int64, error) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if s == "" || s == "0" {
		return 0, nil
	}
	units := map[string]int64{"B": 1, "MB": isp.MB, "GB": isp.GB, "TB": 1000 * isp.GB}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, errors.New("a size: 500 MB, 1.5 GB")
	}
	unit, ok := units[s[i:]]
	whole, frac, _ := strings.Cut(s[:i], ".")
	if !ok || whole == "" || len(frac) > 3 || unit == 1 && frac != "" || strings.Contains(frac, ".") {
		return 0, errors.New("a size: 500 MB, 1.5 GB")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1000*1000*isp.GB/unit { // a petabyte: beyond any plan, and far from overflow
		return 0, errors.New("a size: 500 MB, 1.5 GB")
	}
	n := w * unit
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, errors.New("a size: 500 MB, 1.5 GB")
		}
		for range 3 - len(frac) {
			f *= 10
		}
		n += f * (unit / 1000)
	}
	return n, nil
}

// showData writes a size as parseData reads it.
func showData(n int64) string {
	switch {
	case n == 0:
		return ""
	case n%(1000*isp.GB) == 0:
		return strconv.FormatInt(n/(1000*isp.GB), 10) + " TB"
	case n%isp.GB == 0:
		return strconv.FormatInt(n/isp.GB, 10) + " GB"
	case n%(isp.GB/1000) == 0 && n > isp.GB:
		return strconv.FormatInt(n/isp.GB, 10) + "." + strings.TrimRight(strconv.FormatInt(1000+n%isp.GB/isp.MB, 10)[1:], "0") + " GB"
	case n%isp.MB == 0:
		return strconv.FormatInt(n/isp.MB, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " B" // kept exact: saving the form changes nothing
}
