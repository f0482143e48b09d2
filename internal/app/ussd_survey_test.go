package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/store"
)

// A resolved ticket's CSAT question on the last USSD screen: the caller
// sets their language, the screen asks, the digit is the answer, recorded
// once with channel ussd however often the gateway resends; the next
// session and the next resolved ticket within the survey days ask nothing.
func TestSurveyOverUSSD(t *testing.T) {
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		ctx := context.Background()
		mary := app.DemoCustomers[1] // Swahili
		dial := func(sid, text, want string) {
			t.Helper()
			form := url.Values{"sessionId": {sid}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+" + mary.Phone}, "networkCode": {"63902"}, "text": {text}}
			resp, err := a.HTTP.Post(a.URL()+"/ussd/"+a.Config.USSDSecret, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(b) != want {
				t.Fatalf("text %q: %d %q, want %q", text, resp.StatusCode, b, want)
			}
		}
		resolve := func() {
			t.Helper()
			tk, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: mary.Phone, MeterDRN: mary.Meter, Category: care.CategoryBilling, Note: "bili"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Desk.SetState(ctx, tk.ID, "staff:amina", care.StateResolved); err != nil {
				t.Fatal(err)
			}
		}

		// Before any ticket: the plain final screen.
		dial("s0", "7*2", "END Lugha sasa ni Kiswahili.")
		resolve()
		asked := "CON Lugha sasa ni Kiswahili.\nTulikuhudumiaje? Jibu 1 (vibaya) hadi 5 (vizuri sana)"
		for range 2 {
			dial("s1", "7*2", asked)
		}
		for range 2 {
			dial("s1", "7*2*4", "END Asante kwa jibu lako.")
		}
		dial("s1", "7*2*4*5", "END Kipindi kimeisha. Tafadhali piga tena.")
		if n := a.Count(`SELECT count(*) FROM surveys WHERE msisdn = $1 AND score = 4 AND answer_channel = 'ussd' AND state = 'scored'`, mary.Phone); n != 1 {
			t.Errorf("%d surveys scored 4 on USSD, want 1", n)
		}
		r, err := care.SurveyReport(ctx, a.DB.Read(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if f := r.ByAnswer[care.AnswerUSSD]; f.CSATAnswers != 1 || f.CSATSum != 4 {
			t.Errorf("results by answer channel: %+v", r.ByAnswer)
		}

		// Answered: not asked again, nor after another ticket within the
		// survey days.
		dial("s2", "7*2", "END Lugha sasa ni Kiswahili.")
		resolve()
		dial("s3", "7*2", "END Lugha sasa ni Kiswahili.")
		if n := a.Count(`SELECT count(*) FROM surveys WHERE msisdn = $1`, mary.Phone); n != 1 {
			t.Errorf("%d surveys of the phone, want 1", n)
		}
	})
}
