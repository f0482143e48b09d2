package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// hit is one search result: a customer, a meter without one, or an
// internet subscriber.
type hit struct {
	CustomerID string
	Name       string
	Meters     []string
	Phones     []string
	Why        string // what matched, as a message key
	// SubscriberID and Username name an internet subscriber.
	SubscriberID, Username string
}

// Link is the page the hit opens.
func (h hit) Link() string {
	if h.SubscriberID != "" {
		return "/staff/internet/subscribers/" + url.PathEscape(h.SubscriberID)
	}
	if h.CustomerID != "" {
		return "/staff/customers/" + url.PathEscape(h.CustomerID)
	}
	return "/staff/meters/" + url.PathEscape(h.Meters[0])
}

type searchData struct {
	Q    string
	Hits []hit
}

// search finds customers by phone, meter number, name, M-Pesa receipt or
// token, whichever the text looks like; a single hit opens at once.
func (h *Handler) search(w http.ResponseWriter, v *visit) error {
	q := strings.TrimSpace(v.r.URL.Query().Get("q"))
	d := searchData{Q: q}
	p := h.page(v, "search.title", &d)
	if q == "" {
		return h.render(w, v, http.StatusOK, "search", p)
	}
	if len(q) > 100 {
		p.Err = t(v.lang, "search.long")
		return h.render(w, v, http.StatusBadRequest, "search", p)
	}
	hits, err := h.find(v.r.Context(), q)
	if err != nil {
		return err
	}
	if err := h.audit(v, "customer.search", "", q); err != nil {
		return err
	}
	if len(hits) == 1 {
		return redirect(w, v, hits[0].Link())
	}
	d.Hits = hits
	if len(hits) == 0 {
		p.Notice = t(v.lang, "search.none", q)
	}
	return h.render(w, v, http.StatusOK, "search", p)
}

// find looks q up every way it could be meant.
func (h *Handler) find(ctx context.Context, q string) ([]hit, error) {
	db := h.DB.Read()
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' {
			return -1
		}
		return 'x'
	}, q)
	var drns []string
	why := ""
	switch {
	case len(digits) == 20 && !strings.Contains(digits, "x"):
		// A token: which meter it was made for.
		ds, err := store.Strings(ctx, db, `SELECT meter_drn FROM tokens WHERE digits = $1`, digits)
		if err != nil {
			return nil, err
		}
		drns, why = ds, "search.by.token"
	case receiptLike(q):
		p, err := payment.ByReceipt(ctx, db, strings.ToUpper(q))
		if err == nil && p.MeterDRN != "" {
			drns, why = []string{p.MeterDRN}, "search.by.receipt"
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if (len(digits) == 11 || len(digits) == 13) && !strings.Contains(digits, "x") {
		if _, err := sts.ParseDRN(digits); err == nil {
			drns, why = append(drns, digits), "search.by.meter"
		}
	}
	if n, err := phone.Normalize(q); err == nil {
		ids, err := store.Strings(ctx, db, `SELECT customer_id FROM customer_phones WHERE msisdn = $1`, n)
		if err != nil {
			return nil, err
		}
		var out []hit
		for _, id := range ids {
			out = append(out, hit{CustomerID: id, Why: "search.by.phone"})
		}
		if len(out) > 0 { // whose page lists the internet accounts on their phones
			return h.describe(ctx, out)
		}
		subs, err := h.internetHits(ctx, n, "")
		if err != nil || len(subs) > 0 {
			return subs, err
		}
	}
	var out []hit
	seen := map[string]bool{}
	for _, d := range drns {
		m, err := customer.GetMeter(ctx, db, d)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		key := m.CustomerID
		if key == "" {
			key = "meter:" + m.DRN
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, hit{CustomerID: m.CustomerID, Meters: []string{m.DRN}, Why: why})
	}
	if len(out) == 0 && len([]rune(q)) >= 3 && strings.ContainsAny(strings.ToLower(q), "abcdefghijklmnopqrstuvwxyz") {
		ids, err := store.Strings(ctx, db, `SELECT id FROM customers WHERE lower(name) LIKE $1 ORDER BY name LIMIT 50`, "%"+likeEscape(strings.ToLower(q))+"%")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			out = append(out, hit{CustomerID: id, Why: "search.by.name"})
		}
	}
	subs, err := h.internetHits(ctx, "", q)
	if err != nil {
		return nil, err
	}
	return h.describe(ctx, append(out, subs...))
}

// internetHits finds the ISP's subscribers a phone is registered to, or
// the one with a username, when the console has the ISP's billing: one
// search finds a household's electricity and internet alike (a customer's
// page lists the internet accounts on their phones).
func (h *Handler) internetHits(ctx context.Context, msisdn, username string) ([]hit, error) {
	svc := h.Services.ISP
	if svc == nil {
		return nil, nil
	}
	if username != "" {
		s, err := svc.ByUsername(ctx, username)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []hit{{SubscriberID: s.ID, Username: s.Username, Name: s.Name, Phones: s.Phones, Why: "search.by.username"}}, nil
	}
	subs, err := svc.ByPhone(ctx, msisdn)
	var out []hit
	for _, s := range subs {
		out = append(out, hit{SubscriberID: s.ID, Username: s.Username, Name: s.Name, Phones: s.Phones, Why: "search.by.phone"})
	}
	return out, err
}

// describe fills each hit's name, meters and phones.
func (h *Handler) describe(ctx context.Context, hits []hit) ([]hit, error) {
	db := h.DB.Read()
	for i := range hits {
		if hits[i].CustomerID == "" {
			continue
		}
		c, err := customer.Get(ctx, db, hits[i].CustomerID)
		if err != nil {
			return nil, err
		}
		hits[i].Name, hits[i].Phones = c.Name, c.Phones
		if hits[i].Meters, err = store.Strings(ctx, db, `SELECT drn FROM meters WHERE customer_id = $1 ORDER BY drn`, c.ID); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// likeEscape keeps a searched name's % and _ from acting as wildcards.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, "", "%", "", "_", "").Replace(s)
}

// receiptLike reports whether q has the form of an M-Pesa receipt code.
func receiptLike(q string) bool {
	_, err := payment.NormalizeReceipt(q)
	return err == nil && strings.ContainsAny(strings.ToUpper(q), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}
