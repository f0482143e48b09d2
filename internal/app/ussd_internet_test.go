package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
)

// The internet menu over the USSD gateway, on the ISP's real billing: a
// subscriber reads their usage, buys a bundle by the simulated M-Pesa
// prompt and finds it active, and uses a voucher; a phone with no
// account learns nobody's usage, while it may still buy a bundle for a
// friend.
func TestISPOverUSSD(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ctx := context.Background()
		path := "/ussd/" + a.Config.USSDSecret
		dial := func(phone, text string, want ...string) string {
			t.Helper()
			status, body := ussd(t, a, path, phone, text)
			if status != http.StatusOK {
				t.Fatalf("text %q: %d %s", text, status, body)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Fatalf("text %q: reply lacks %q:\n%s", text, w, body)
				}
			}
			return body
		}
		mary, john := app.DemoCustomers[1], app.DemoCustomers[0] // wanjiku's and kamau's phones

		dial(mary.Phone, "", "8 Intaneti") // wanjiku speaks Swahili
		dial(mary.Phone, "8*1", "END wanjiku")
		dial(mary.Phone, "8*2*1", "Kifurushi cha wanjiku:", "1 Hotspot 5 minutes KES 5", "2 Hotspot day 2 GB KES 50", "3 Home 10 Mbps KES 2,500")
		dial(mary.Phone, "8*2*1*2", "Nunua Hotspot day 2 GB (KES 50) kwa wanjiku?")
		dial(mary.Phone, "8*2*1*2*1", "END Utapokea ombi la M-Pesa la kulipa KES 50.")
		apptest.Eventually(t, "the bundle bought on USSD to be active", func() bool {
			_, sub := liveSub(t, a)
			return sub.State == isp.Active && sub.PlanID == "hotspot-day"
		})
		if n := a.Count(`SELECT count(*) FROM stk_requests WHERE channel = 'ussd' AND service = 'isp'`); n != 1 {
			t.Errorf("%d STK pushes from the USSD internet menu, want 1", n)
		}
		dial(mary.Phone, "8*1", "wanjiku: Hotspot day 2 GB.")

		// A voucher, for John's only account.
		batch, err := a.ISP.NewVouchers(ctx, "hotspot-5min", 1, time.Now().Add(24*time.Hour), "ussd test", "test")
		if err != nil {
			t.Fatal(err)
		}
		_, vs, err := a.ISP.Vouchers(ctx, batch.ID)
		if err != nil || len(vs) != 1 {
			t.Fatalf("vouchers %v, %v", vs, err)
		}
		dial(john.Phone, "8*3", "1 kamau")
		dial(john.Phone, "8*3*1*"+vs[0].Code, "END Voucher accepted for kamau.")
		u, err := a.ISP.ByUsername(ctx, app.DemoShortUsername)
		if err != nil {
			t.Fatal(err)
		}
		if sub, err := a.ISP.Live(ctx, u.ID); err != nil || sub.State != isp.Active {
			t.Fatalf("after the voucher: %+v, %v", sub, err)
		}
		dial(john.Phone, "8*3*1*"+vs[0].Code+"*x", "END") // the path goes on after END: nothing more

		// A phone with no account: no usage of anyone's, a bundle for a friend.
		stranger := "254799000111"
		dial(stranger, "8*1", "END No internet account is registered to this phone.")
		dial(stranger, "8*2", "CON Enter the internet account name:")
		dial(stranger, "8*2*wanjiku*1*1", "END You will get an M-Pesa prompt to pay KES 5.")
		dial(stranger, "8*2*nobody*1*1", "END There is no internet account nobody.")
		if n := a.Count(`SELECT count(*) FROM stk_requests WHERE msisdn = $1`, stranger); n != 1 {
			t.Errorf("%d STK pushes to the stranger's phone, want 1", n)
		}
	})
}
