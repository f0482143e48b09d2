package app

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/ussd"
)

// ussdInternet gives the USSD internet menu what it needs from the ISP's
// billing.
type ussdInternet struct{ isp *isp.Service }

var _ ussd.Internet = ussdInternet{}

func (n ussdInternet) Accounts(ctx context.Context, msisdn string) ([]string, error) {
	subs, err := n.isp.ByPhone(ctx, msisdn)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.Username
	}
	slices.Sort(names)
	return names, nil
}

// own returns msisdn's own account named username, if it is one.
func (n ussdInternet) own(ctx context.Context, msisdn, username string) (isp.Subscriber, bool, error) {
	subs, err := n.isp.ByPhone(ctx, msisdn)
	if err != nil {
		return isp.Subscriber{}, false, err
	}
	for _, s := range subs {
		if s.Username == username {
			return s, true, nil
		}
	}
	return isp.Subscriber{}, false, nil
}

func (n ussdInternet) UsageText(ctx context.Context, msisdn, username, lang string) (string, error) {
	if _, ok, err := n.own(ctx, msisdn, username); err != nil || !ok {
		return "", errors.Join(err, ussd.ErrNotYours)
	}
	return n.isp.UsageText(ctx, msisdn, lang, []string{username})
}

// Bundles are the plans on sale for money, cheapest first: free plans are
// fallbacks, given, never bought.
func (n ussdInternet) Bundles(ctx context.Context) ([]ussd.Bundle, error) {
	plans, err := n.isp.Plans(ctx)
	if err != nil {
		return nil, err
	}
	var out []ussd.Bundle
	for _, p := range plans {
		if p.Active && p.Price > 0 {
			out = append(out, ussd.Bundle{ID: p.ID, Name: p.Name, Price: p.Price})
		}
	}
	slices.SortStableFunc(out, func(a, b ussd.Bundle) int { return cmp.Compare(a.Price, b.Price) })
	return out, nil
}

func (n ussdInternet) BuyBundle(ctx context.Context, msisdn, username, bundleID string) (money.Amount, error) {
	r, err := n.isp.BuyBundle(ctx, msisdn, username, bundleID, "ussd")
	switch {
	case errors.Is(err, isp.ErrWalletEnough):
		// The wallet is spent only from the account's own phones, as
		// its balance is told only to them.
		sub, ok, ownErr := n.own(ctx, msisdn, username)
		if ownErr != nil {
			return 0, ownErr
		}
		if !ok {
			return 0, ussd.ErrWalletEnough
		}
		if _, err := n.isp.Buy(ctx, sub.ID, username, bundleID, "ussd:"+msisdn); err != nil {
			return 0, bundleError(err)
		}
		return 0, nil
	case err != nil:
		return 0, bundleError(err)
	}
	return r.Amount, nil
}

// bundleError says in the menu's terms why a bundle was not bought.
func bundleError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errors.Join(ussd.ErrNoAccount, err)
	case errors.Is(err, isp.ErrPlanShut):
		return errors.Join(ussd.ErrBundleShut, err)
	case errors.Is(err, isp.ErrNoSTK):
		return errors.Join(ussd.ErrNoPush, err)
	}
	return err
}

func (n ussdInternet) RedeemVoucher(ctx context.Context, msisdn, username, code, lang string) (string, error) {
	return n.isp.RedeemFor(ctx, msisdn, lang, code, username)
}
