package ussd

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/mteja/mteja/internal/money"
)

// Internet is what the internet menu needs from the ISP's billing, where
// one shares the deployment (Options.Internet; nil: no such menu). The
// caller's phone is their identity, as on the electricity menus: usage is
// shown only for the accounts registered to it, while a bundle or a voucher
// may be a gift to any account.
type Internet interface {
	// Accounts returns the usernames of the ISP accounts registered to
	// msisdn, in a stable order, since the menu numbers them.
	Accounts(ctx context.Context, msisdn string) ([]string, error)
	// UsageText is where the account stands (plan, data and time left,
	// wallet), in lang; an error wrapping ErrNotYours for an account that
	// is not msisdn's.
	UsageText(ctx context.Context, msisdn, username, lang string) (string, error)
	// Bundles returns the plans on sale, in the order to offer them.
	Bundles(ctx context.Context) ([]Bundle, error)
	// BuyBundle starts an M-Pesa STK push to msisdn for the bundle, for
	// the account named, and returns the amount asked (the price less
	// what the account's wallet holds). When the wallet of msisdn's own
	// account holds enough, it buys from the wallet and returns zero.
	// Errors wrap ErrNoAccount for an unknown username, ErrWalletEnough
	// when another's wallet holds enough (only its own phones may spend
	// it), ErrBundleShut for a bundle no longer on sale, and ErrNoPush
	// when the ISP cannot send M-Pesa prompts.
	BuyBundle(ctx context.Context, msisdn, username, bundleID string) (money.Amount, error)
	// RedeemVoucher uses a voucher code for the account named and returns
	// what to tell the caller, in lang. It limits the codes a phone may
	// try, so that codes cannot be guessed here.
	RedeemVoucher(ctx context.Context, msisdn, username, code, lang string) (string, error)
}

// Bundle is a plan on sale.
type Bundle struct {
	ID    string
	Name  string // "Daily 1 GB"
	Price money.Amount
}

// Why a bundle was not bought; see Internet.BuyBundle.
var (
	ErrNoAccount    = errors.New("no such internet account")
	ErrWalletEnough = errors.New("the account's wallet holds enough for the bundle")
	ErrBundleShut   = errors.New("bundle no longer on sale")
	ErrNoPush       = errors.New("the ISP cannot send M-Pesa prompts")
)

// task is what an internet account is being chosen for.
type task int

const (
	forUsage task = iota + 1
	forBundle
	forVoucher
)

// maxAccounts keeps account choices below 98, which is "More".
const maxAccounts = 97

// internetMenu is the internet menu's first screen.
type internetMenu struct{}

func (internetMenu) render(s *session, hint string) screen {
	t := s.t
	return con(withHint(hint, t.Internet+":", "1 "+t.MyUsage, "2 "+t.BuyBundle, "3 "+t.UseVoucher, t.BackHome)...)
}

func (internetMenu) next(s *session, in string, _ bool) (step, error) {
	switch in {
	case "1":
		return s.accountStep(forUsage)
	case "2":
		return s.accountStep(forBundle)
	case "3":
		return s.accountStep(forVoucher)
	}
	return stay(s.t.InvalidChoice), nil
}

// accountStep leads to the choice of account: the phone's own, numbered,
// or for a bundle or a voucher any account's username typed. A phone with
// one account skips the choice.
func (s *session) accountStep(k task) (step, error) {
	names, err := s.h.opts.Internet.Accounts(s.ctx, s.msisdn)
	if err != nil {
		return step{}, fmt.Errorf("internet accounts of phone: %w", err)
	}
	switch {
	case len(names) == 0 && k == forUsage:
		return closing(s.t.NoAccount), nil
	case len(names) == 0:
		return goTo(accountEntry{k: k}), nil
	case len(names) == 1 && k == forUsage:
		return s.afterAccount(k, names[0])
	}
	return goTo(accountPick{k: k, names: names[:min(len(names), maxAccounts)]}), nil
}

// accountPick lists the phone's accounts; for a bundle or a voucher the
// caller may type another account's username instead.
type accountPick struct {
	k     task
	names []string
	start int
}

func (n accountPick) list(s *session) list {
	items := make([]string, len(n.names))
	for i, u := range n.names {
		items[i] = strconv.Itoa(i+1) + " " + u
	}
	head := s.t.ChooseAccount
	if n.k != forUsage {
		head = s.t.ChooseOrTypeAccount
	}
	return list{head: head, items: items, foot: []string{s.t.BackHome}, hints: []string{s.t.InvalidChoice, s.t.BadAccount}}
}

func (n accountPick) render(s *session, hint string) screen {
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n accountPick) next(s *session, in string, _ bool) (step, error) {
	nx, i, ok := n.list(s).choose(s, n.start, in)
	switch {
	case ok && i < 0:
		n.start = nx
		return goTo(n), nil
	case ok:
		return s.afterAccount(n.k, n.names[i])
	case isChoice(in):
		return stay(s.t.InvalidChoice), nil
	}
	if n.k == forUsage {
		return stay(s.t.InvalidChoice), nil
	}
	return s.typedAccount(n.k, in)
}

// accountEntry asks for an account's username, from a phone with none.
type accountEntry struct{ k task }

func (n accountEntry) render(s *session, hint string) screen {
	return con(withHint(hint, s.t.EnterAccount, s.t.BackHome)...)
}

func (n accountEntry) next(s *session, in string, _ bool) (step, error) {
	return s.typedAccount(n.k, in)
}

// typedAccount takes a username as typed. Only its shape is checked here:
// whether the account exists is told when the bundle is paid for or the
// voucher used, so that the menu cannot be used to list usernames.
func (s *session) typedAccount(k task, in string) (step, error) {
	u := username(in)
	if u == "" {
		return stay(s.t.BadAccount), nil
	}
	return s.afterAccount(k, u)
}

// username lower-cases a typed username and returns "" unless it has the
// shape of one (what M-Pesa takes as an account number: up to 20 letters,
// digits, dots, dashes and underscores).
func username(in string) string {
	if len(in) < 3 || len(in) > 20 {
		return ""
	}
	b := []byte(in)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '-' || c == '_'):
		default:
			return ""
		}
	}
	return string(b)
}

// afterAccount fetches what the next screen shows.
func (s *session) afterAccount(k task, name string) (step, error) {
	net := s.h.opts.Internet
	switch k {
	case forUsage:
		text, err := net.UsageText(s.ctx, s.msisdn, name, s.lang)
		if errors.Is(err, ErrNotYours) {
			return closing(fmt.Sprintf(s.t.AccountNotYours, name)), nil
		}
		if err != nil {
			return step{}, fmt.Errorf("usage of %s: %w", name, err)
		}
		return closing(clip(text, maxScreen-prefixLen)), nil
	case forBundle:
		bs, err := net.Bundles(s.ctx)
		if err != nil {
			return step{}, fmt.Errorf("bundles on sale: %w", err)
		}
		if len(bs) == 0 {
			return closing(s.t.NoBundles), nil
		}
		return goTo(bundlePick{account: name, bundles: bs[:min(len(bs), maxAccounts)]}), nil
	case forVoucher:
		return goTo(voucherEntry{account: name}), nil
	}
	return step{}, fmt.Errorf("account chosen for unknown task %d", k)
}

// bundlePick lists the bundles on sale, with their prices.
type bundlePick struct {
	account string
	bundles []Bundle
	start   int
}

func (n bundlePick) list(s *session) list {
	items := make([]string, len(n.bundles))
	for i, b := range n.bundles {
		items[i] = strconv.Itoa(i+1) + " " + clip(b.Name, 24) + " " + s.amount(b.Price)
	}
	return list{head: fmt.Sprintf(s.t.ChooseBundle, n.account), items: items, foot: []string{s.t.BackHome}, hints: []string{s.t.InvalidChoice}}
}

func (n bundlePick) render(s *session, hint string) screen {
	lines, _ := n.list(s).layout(s, n.start, hint)
	return con(lines...)
}

func (n bundlePick) next(s *session, in string, _ bool) (step, error) {
	nx, i, ok := n.list(s).choose(s, n.start, in)
	switch {
	case !ok:
		return stay(s.t.InvalidChoice), nil
	case i < 0:
		n.start = nx
		return goTo(n), nil
	}
	return goTo(bundleConfirm{account: n.account, bundle: n.bundles[i]}), nil
}

// bundleConfirm asks before the STK push: it costs the caller money.
type bundleConfirm struct {
	account string
	bundle  Bundle
}

func (n bundleConfirm) render(s *session, hint string) screen {
	return con(withHint(hint,
		fmt.Sprintf(s.t.ConfirmBundle, clip(n.bundle.Name, 24), s.amount(n.bundle.Price), n.account),
		s.t.PayMpesa,
		s.t.BackHome)...)
}

func (n bundleConfirm) next(s *session, in string, last bool) (step, error) {
	if in != "1" {
		return stay(s.t.InvalidChoice), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		amount, err := s.h.opts.Internet.BuyBundle(ctx, s.msisdn, n.account, n.bundle.ID)
		switch {
		case errors.Is(err, ErrNoAccount):
			return fmt.Sprintf(s.t.NoSuchAccount, n.account), nil
		case errors.Is(err, ErrWalletEnough):
			return fmt.Sprintf(s.t.WalletEnough, n.account), nil
		case errors.Is(err, ErrBundleShut):
			return s.t.BundleShut, nil
		case errors.Is(err, ErrNoPush):
			return fmt.Sprintf(s.t.NoPush, n.account), nil
		case err != nil:
			return "", fmt.Errorf("buy %s for %s: %w", n.bundle.ID, n.account, err)
		case amount == 0:
			return fmt.Sprintf(s.t.BundleFromWallet, clip(n.bundle.Name, 24), n.account), nil
		}
		return fmt.Sprintf(s.t.BundleStarted, s.amount(amount), n.account), nil
	})
}

// voucherEntry asks for a voucher's code.
type voucherEntry struct{ account string }

func (n voucherEntry) render(s *session, hint string) screen {
	return con(withHint(hint, fmt.Sprintf(s.t.EnterVoucher, n.account), s.t.BackHome)...)
}

func (n voucherEntry) next(s *session, in string, last bool) (step, error) {
	code := digitsOf(in)
	if len(code) < 8 || len(code) > 20 {
		return stay(s.t.BadVoucher), nil
	}
	return s.act(last, func(ctx context.Context) (string, error) {
		text, err := s.h.opts.Internet.RedeemVoucher(ctx, s.msisdn, n.account, code, s.lang)
		if err != nil {
			return "", fmt.Errorf("voucher for %s: %w", n.account, err)
		}
		return clip(text, maxScreen-prefixLen), nil
	})
}

// digitsOf keeps the digits of a code typed with spaces or dashes; it
// returns "" when anything else is in it.
func digitsOf(in string) string {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		switch c := in[i]; {
		case c >= '0' && c <= '9':
			out = append(out, c)
		case c == ' ' || c == '-':
		default:
			return ""
		}
	}
	return string(out)
}
