package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/browsertest"
	"github.com/mteja/mteja/internal/outage"
)

// The public status page, reached from the log-in page's footer without
// logging in and with JavaScript off: outages in force and planned by
// area, token delivery, in English and Swahili.
func TestStatusPageBrowser(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := browsertest.Start(t)
	now := a.DB.Now()
	if _, err := outage.Declare(context.Background(), a.DB, outage.Outage{Level: outage.LevelFeeder, Place: app.DemoFeeder, ETR: now.Add(3 * time.Hour)}, "staff:test"); err != nil {
		t.Fatal(err)
	}
	if _, err := outage.Declare(context.Background(), a.DB, outage.Outage{Level: outage.LevelArea, Place: "Langata", Kind: outage.KindPlanned, StartsAt: now.Add(30 * time.Hour)}, "staff:test"); err != nil {
		t.Fatal(err)
	}
	tb := browsertest.NewTab(t, ctx, a.URL(), phone, maxPage)
	if _, err := chromedp.Call(tb.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	tb.Open("login", "/login")
	p := tb.Load("status", chromedp.Click(chromedp.CSS(`footer a[href="/status"]`)))
	if p.Path != "/status" || p.H1 != "Service status" {
		t.Fatalf("footer link led to %s %q; want the status page", p.Path, p.H1)
	}
	for _, want := range []string{"Token delivery", "Nairobi West", "feeder " + app.DemoFeeder, "expected back by", "Langata", "Planned work from", "the whole area"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("status page lacks %q:\n%s", want, p.Text)
		}
	}
	p = tb.Load("status in Swahili", chromedp.Click(chromedp.CSS(`header button[lang="sw"]`)))
	if p.Lang != "sw" || p.H1 != "Hali ya huduma" || !strings.Contains(p.Text, "laini "+app.DemoFeeder) || !strings.Contains(p.Text, "Utumaji wa tokeni") {
		t.Errorf("status in Swahili: %s %q:\n%s", p.Lang, p.H1, p.Text)
	}
}
