package ussd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

// memInternet is an in-memory Internet for the menu tests; the real one,
// over the ISP's billing, is tested through the gateway in package app.
type memInternet struct {
	mu       sync.Mutex
	accounts map[string][]string // by phone
	known    map[string]bool     // every username
	wallet   map[string]bool     // accounts whose wallet holds enough
	bundles  []Bundle
	fail     map[string]error
	buys     []string // "phone username bundle"
	vouchers []string // "phone username code"
}

func newMemInternet() *memInternet {
	return &memInternet{
		accounts: map[string][]string{
			phoneOne:  {"kamau"},
			phoneMany: {"duka-moi-avenue", "kamau-home", "wanjiku"},
		},
		known:  map[string]bool{"kamau": true, "duka-moi-avenue": true, "kamau-home": true, "wanjiku": true, "otieno": true},
		wallet: map[string]bool{"wanjiku": true, "otieno": true},
		bundles: []Bundle{
			{ID: "hour-100mb", Name: "1 hour 100 MB", Price: money.MustFromMajor(10)},
			{ID: "daily-1gb", Name: "Daily 1 GB", Price: money.MustFromMajor(50)},
			{ID: "weekly-5gb", Name: "Weekly 5 GB unlimited nights and weekends", Price: money.MustFromMajor(250)},
			{ID: "monthly-10m", Name: "Home 10 Mbps monthly", Price: money.MustFromMajor(2999)},
		},
		fail: map[string]error{},
	}
}

func (m *memInternet) Accounts(_ context.Context, msisdn string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.accounts[msisdn], m.fail["Accounts"]
}

func (m *memInternet) UsageText(_ context.Context, msisdn, username, lang string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.accounts[msisdn], username) {
		return "", ErrNotYours
	}
	return fmt.Sprintf("%s: Daily 1 GB. 700 MB of 1 GB left. Until 03/12 21:00. Wallet: KES 0 (%s).", username, lang), m.fail["UsageText"]
}

func (m *memInternet) Bundles(context.Context) ([]Bundle, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bundles, m.fail["Bundles"]
}

func (m *memInternet) BuyBundle(_ context.Context, msisdn, username, bundleID string) (money.Amount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.fail["BuyBundle"]; err != nil {
		return 0, err
	}
	if !m.known[username] {
		return 0, ErrNoAccount
	}
	m.buys = append(m.buys, msisdn+" "+username+" "+bundleID)
	if m.wallet[username] {
		if !slices.Contains(m.accounts[msisdn], username) {
			return 0, ErrWalletEnough
		}
		return 0, nil
	}
	for _, b := range m.bundles {
		if b.ID == bundleID {
			return b.Price, nil
		}
	}
	return 0, ErrBundleShut
}

func (m *memInternet) RedeemVoucher(_ context.Context, msisdn, username, code, lang string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vouchers = append(m.vouchers, msisdn+" "+username+" "+code)
	return "Voucher accepted for " + username + ".", m.fail["RedeemVoucher"]
}

func (m *memInternet) calls() (buys, vouchers []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.buys), slices.Clone(m.vouchers)
}

func TestInternetDialogues(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, net *memInternet)
	wantBuys := func(want ...string) check {
		return func(t *testing.T, net *memInternet) {
			if buys, _ := net.calls(); !slices.Equal(buys, want) {
				t.Errorf("buys = %q, want %q", buys, want)
			}
		}
	}
	for _, d := range []struct {
		name  string
		phone string
		fail  map[string]error
		prep  func(net *memInternet)
		turns []turn
		after check
	}{
		{
			name: "usage of the only account", phone: phoneOne,
			turns: []turn{
				dial("7 Language / Lugha\n8 Internet"),
				typed("8", "CON Internet:\n1 My usage\n2 Buy a bundle\n3 Use a voucher\n0 Back 00 Home"),
				typed("1", "END kamau: Daily 1 GB. 700 MB of 1 GB left."),
			},
		},
		{
			name: "usage with several accounts, and no typed names", phone: phoneMany,
			turns: []turn{
				dial(), typed("8"),
				typed("1", "CON Choose an account:\n1 duka-moi-avenue\n2 kamau-home\n3 wanjiku\n0 Back 00 Home"),
				typed("otieno", "CON Invalid choice.\n1 duka-moi-avenue"), // another's usage is not told
				typed("4", "Invalid choice."),
				typed("3", "END wanjiku: Daily 1 GB"),
			},
		},
		{name: "usage from a phone with no account", phone: phoneNone,
			turns: []turn{dial(), typed("8"), typed("1", "END No internet account is registered to this phone.")}},
		{
			name: "buy a bundle for the only account", phone: phoneOne,
			turns: []turn{
				dial(), typed("8"),
				typed("2", "CON Choose an account, or type its name:\n1 kamau\n"),
				typed("1", "CON Bundle for kamau:\n1 1 hour 100 MB KES 10\n2 Daily 1 GB KES 50\n3 Weekly 5 GB unlimited n… KES 250\n4 Home 10 Mbps monthly KES 2,999\n0 Back 00 Home"),
				typed("5", "CON Invalid choice.\n1 1 hour"),
				typed("2", "CON Buy Daily 1 GB (KES 50) for kamau?\n1 Pay with M-Pesa\n0 Back 00 Home"),
				typed("1", "END You will get an M-Pesa prompt to pay KES 50. Enter your PIN; kamau will be told by SMS."),
			},
			after: wantBuys(phoneOne + " kamau daily-1gb"),
		},
		{
			name: "buy for a friend by typing the name", phone: phoneNone,
			turns: []turn{
				dial(), typed("8"), typed("2", "CON Enter the internet account name:"),
				typed("ab", "CON Account name not valid, check and try again"),
				typed("kamau wa", "Account name not valid"),
				typed("-kamau", "Account name not valid"),
				typed("Kamau", "CON Bundle for kamau:"),
				typed("1"), typed("1", "END You will get an M-Pesa prompt to pay KES 10."),
			},
			after: wantBuys(phoneNone + " kamau hour-100mb"),
		},
		{
			name: "an unknown account is told only at payment", phone: phoneOne,
			turns: []turn{dial(), typed("8"), typed("2"), typed("nobody", "Bundle for nobody:"), typed("1"),
				typed("1", "END There is no internet account nobody. Check the name and dial again.")},
			after: wantBuys(),
		},
		{
			name: "own wallet buys without a prompt", phone: phoneMany,
			turns: []turn{dial(), typed("8"), typed("2"), typed("3"), typed("2"),
				typed("1", "END Daily 1 GB bought for wanjiku from its wallet.")},
			after: wantBuys(phoneMany + " wanjiku daily-1gb"),
		},
		{
			name: "a friend's wallet is not spent", phone: phoneOne,
			turns: []turn{dial(), typed("8"), typed("2"), typed("otieno"), typed("2"),
				typed("1", "END The wallet of otieno already holds enough")},
		},
		{
			name: "voucher for a friend", phone: phoneOne,
			turns: []turn{
				dial(), typed("8"), typed("3"), typed("otieno", "CON Enter the voucher code for otieno:"),
				typed("12ab", "CON Code not valid: type the digits on the voucher"),
				typed("1234 5678 9012", "END Voucher accepted for otieno."),
			},
			after: func(t *testing.T, net *memInternet) {
				if _, v := net.calls(); !slices.Equal(v, []string{phoneOne + " otieno 123456789012"}) {
					t.Errorf("vouchers = %q", v)
				}
			},
		},
		{
			name: "Swahili", phone: phoneSw,
			turns: []turn{
				dial("6 Kukatika kwa umeme\n7 Lugha / Language\n8 Intaneti"),
				typed("8", "CON Intaneti:\n1 Matumizi yangu\n2 Nunua kifurushi\n3 Tumia vocha\n0 Rudi 00 Mwanzo"),
				typed("2", "CON Andika jina la akaunti ya intaneti:"),
				typed("kamau", "CON Kifurushi cha kamau:"),
				typed("1", "CON Nunua 1 hour 100 MB (KES 10) kwa kamau?\n1 Lipa kwa M-Pesa"),
				typed("1", "END Utapokea ombi la M-Pesa la kulipa KES 10. Weka PIN yako; kamau ataarifiwa kwa SMS."),
			},
		},
		{name: "no bundles on sale", phone: phoneOne, prep: func(net *memInternet) { net.bundles = nil },
			turns: []turn{dial(), typed("8"), typed("2"), typed("1", "END No bundles are on sale now.")}},
		{name: "backend error ends politely", phone: phoneOne, fail: map[string]error{"BuyBundle": errDown},
			turns: []turn{dial(), typed("8"), typed("2"), typed("1"), typed("1"), typed("1", "END Service unavailable, please try again")},
			after: wantBuys()},
		{name: "bundle no longer on sale", phone: phoneOne, fail: map[string]error{"BuyBundle": ErrBundleShut},
			turns: []turn{dial(), typed("8"), typed("2"), typed("1"), typed("1"), typed("1", "END That bundle is no longer on sale.")}},
		{name: "no STK push for the ISP", phone: phoneOne, fail: map[string]error{"BuyBundle": fmt.Errorf("isp: %w", ErrNoPush)},
			turns: []turn{dial(), typed("8"), typed("2"), typed("1"), typed("1"), typed("1", "END M-Pesa prompts are not available. Pay by Paybill with kamau as the account number.")}},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			net := newMemInternet()
			for m, err := range d.fail {
				net.fail[m] = err
			}
			if d.prep != nil {
				d.prep(net)
			}
			tb := setup(t, Options{Internet: net})
			runDialogue(t, tb, "ATUid_net_"+d.name, d.phone, d.turns)
			if d.after != nil {
				d.after(t, net)
			}
		})
	}
}

// TestNoInternetMenuWithoutISP checks that a deployment without an ISP
// shows no internet option and that 8 leads nowhere.
func TestNoInternetMenuWithoutISP(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	runDialogue(t, tb, "ATUid_noisp", phoneOne, []turn{
		{want: []string{"7 Language / Lugha"}, not: []string{"8 Internet"}},
		typed("8", "CON Invalid choice.\n1 Buy token"),
	})
}

// TestInternetResentConfirmationPushesOnce checks that a confirmation the
// gateway sends again starts one STK push, not two.
func TestInternetResentConfirmationPushesOnce(t *testing.T) {
	t.Parallel()
	net := newMemInternet()
	tb := setup(t, Options{Internet: net})
	for range 3 {
		_, body := tb.post(t, "ATUid_resend", phoneOne, "8*2*1*2*1")
		if !strings.Contains(body, "M-Pesa prompt to pay KES 50") {
			t.Fatalf("reply %q", body)
		}
	}
	if buys, _ := net.calls(); len(buys) != 1 {
		t.Errorf("buys = %q, want one", buys)
	}
}
