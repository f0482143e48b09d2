package customer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// Registration is a meter to register and whose it is.
type Registration struct {
	DRN      string    // as typed: spaces and dashes are ignored, the check digit is checked
	Keys     KeyParams // over DefaultKeys; the supply group code is required
	TariffID string
	Area     string
	Debt     money.Amount // arrears the meter arrives with, recovered from its purchases
	Owner    Owner
}

// Register adds a meter for a new or an existing customer. What is wrong
// with the request is reported together (*InvalidError); a meter already
// registered is ErrConflict.
func (r *Registry) Register(ctx context.Context, actor string, reg Registration) (Meter, error) {
	m := reg.Keys.apply(DefaultKeys)
	m.TariffID, m.Area, m.Debt = strings.TrimSpace(reg.TariffID), strings.TrimSpace(reg.Area), reg.Debt
	var problems []string
	if drn, err := sts.ParseDRN(reg.DRN); err != nil {
		problems = append(problems, err.Error())
	} else {
		m.DRN = string(drn)
	}
	switch {
	case m.SGC == "":
		problems = append(problems, "sgc: required (the utility's 6-digit supply group code)")
	case m.DRN != "":
		if _, err := m.STS(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if m.TariffID == "" {
		problems = append(problems, "tariff: required")
	}
	if m.Debt < 0 {
		problems = append(problems, fmt.Sprintf("debt %s: want zero or more", m.Debt))
	}
	problems = append(problems, reg.Owner.check()...)
	if err := invalid(problems); err != nil {
		return Meter{}, err
	}
	err := r.change(ctx, actor, func(tx *store.Tx) ([]event, error) {
		if err := checkTariff(tx, m.TariffID); err != nil {
			return nil, err
		}
		switch _, err := GetMeter(ctx, tx, m.DRN); {
		case err == nil:
			return nil, conflict("meter %s is already registered", m.DRN)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		id, err := reg.Owner.resolve(tx)
		if err != nil {
			return nil, err
		}
		m.CustomerID = id
		if err := CreateMeter(tx, &m); err != nil {
			if store.IsUniqueViolation(err) {
				return nil, conflict("meter %s is already registered", m.DRN)
			}
			return nil, err
		}
		return []event{{"meter.register", m.DRN, fmt.Sprintf("%s; tariff %s, area %q, debt %s; %s",
			ownerText(reg.Owner, id), m.TariffID, m.Area, m.Debt, keysText(m))}}, nil
	})
	if err != nil {
		return Meter{}, err
	}
	return m, nil
}

// ownerText describes whose a meter became, for the audit log.
func ownerText(o Owner, id string) string {
	if o.CustomerID != "" {
		return "customer " + id
	}
	return fmt.Sprintf("new customer %s (%s, phones %s)", id, o.New.Language, masked(o.New.Phones))
}
