package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/outage"
)

// printOutageDemo tells an outage's story: declared on the demo feeder,
// its customers texted (and the customer on another feeder not), shown on
// the public status page, restored and texted again; with the time from
// confirmation to the last first notice handed to the SMS route.
func printOutageDemo(ctx context.Context, w io.Writer, a *app.App) error {
	now := a.DB.Now()
	o, err := outage.Declare(ctx, a.DB, outage.Outage{Level: outage.LevelFeeder, Place: app.DemoFeeder, ETR: now.Add(2 * time.Hour)}, "staff:demo")
	if err != nil {
		return fmt.Errorf("demo outage: %w", err)
	}
	a.WakeOutages()
	r, err := waitReach(ctx, a, o.ID)
	if err != nil {
		return err
	}
	john, mary, ali := app.DemoCustomers[0], app.DemoCustomers[1], app.DemoCustomers[2]
	started, err := outageSMS(ctx, a, "power is off", "umeme umekatika", john.Phone, mary.Phone)
	if err != nil {
		return err
	}
	for _, m := range a.Sink.Messages() {
		if m.To == ali.Phone && strings.Contains(m.Text, "power is off") {
			return fmt.Errorf("demo outage: %s, on another feeder, was texted", ali.Name)
		}
	}
	if err := onStatusPage(ctx, a.URL()+"/status", "feeder "+app.DemoFeeder); err != nil {
		return err
	}
	st, err := outage.Current(ctx, a.DB, a.DB.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `
An unplanned outage declared on feeder %[1]s (Nairobi West), as care would at %[2]s/staff/outages:
its %[3]d customer phones were texted in the bulk lane, the last %[4]s after confirmation.
  To %[5]s: %[6]s
  To %[7]s: %[8]s
  %[9]s, on feeder NW-12, was not texted.
The public status page, linked from every portal page: %[2]s/status
  By SMS, STATUS answers: %[10]s
`, app.DemoFeeder, a.URL(), r.Told, r.Took, john.Phone, started[john.Phone], mary.Phone, started[mary.Phone], ali.Name, st.Text("en", "Nairobi West"))
	if err := outage.Restore(ctx, a.DB, o.ID, "staff:demo"); err != nil {
		return fmt.Errorf("demo outage: %w", err)
	}
	a.WakeOutages()
	back, err := outageSMS(ctx, a, "power is back", "umeme umerudi", john.Phone, mary.Phone)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, `Restored, and texted again:
  To %[1]s: %[2]s
  A reply of 1 opens a ticket; three from one transformer suspect an outage nested under the feeder:
    curl -s -X POST '%[3]s/demo/sms?phone=%[1]s&text=1'
`, john.Phone, back[john.Phone], a.URL())
	return nil
}

// waitReach waits until the outage's first notice has been handed to the
// SMS route for every phone.
func waitReach(ctx context.Context, a *app.App, id string) (outage.Reach, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := outage.Measure(ctx, a.DB, id)
		if err != nil || r.Done() {
			return r, err
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("demo outage: %d of %d notices sent within 30 s", r.Sent, r.Told)
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// outageSMS waits for the notice containing en (or sw) to each phone and
// returns their texts.
func outageSMS(ctx context.Context, a *app.App, en, sw string, phones ...string) (map[string]string, error) {
	out := map[string]string{}
	deadline := time.Now().Add(30 * time.Second)
	for len(out) < len(phones) {
		for _, m := range a.Sink.Messages() {
			if strings.Contains(m.Text, en) || strings.Contains(m.Text, sw) {
				out[m.To] = m.Text
			}
		}
		if len(out) >= len(phones) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("demo outage: no %q notice to each of %v within 30 s", en, phones)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return out, nil
}

// onStatusPage checks that the public status page shows want.
func onStatusPage(ctx context.Context, url, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo outage: status page: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("demo outage: status page %s (%v) does not show %q", resp.Status, err, want)
	}
	return nil
}
