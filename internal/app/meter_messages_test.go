package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/store"
)

// A caller asks on USSD what their meter's message means, and is answered
// from the knowledge base in their language, with nothing reported.
func TestMeterMessagesOnUSSD(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		path := "/ussd/" + a.Config.USSDSecret
		john, mary := app.DemoCustomers[0], app.DemoCustomers[1] // English, Swahili
		for _, tc := range []struct{ phone, text, want string }{
			{john.Phone, "5*4", "CON What does your meter show?\n1 Accepted\n2 Rejected\n"},
			{john.Phone, "5*4*2", "END Check the meter number on the SMS is this meter's"},
			{mary.Phone, "5*4*5", "END Mita inahitaji kubadilishwa ufunguo."},
		} {
			status, body := ussd(t, a, path, tc.phone, tc.text)
			if status != http.StatusOK || !strings.Contains(body, tc.want) {
				t.Errorf("text %q: %d %q, want %q", tc.text, status, body, tc.want)
			}
		}
		if n := a.Count(`SELECT count(*) FROM faults`); n != 0 {
			t.Errorf("%d faults opened by reading the knowledge base", n)
		}
	})
}
