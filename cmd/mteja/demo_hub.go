package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/phone"
	"github.com/mteja/mteja/internal/staff"
)

// demoHubName is the demo's care hub, where an attendant serves walk-ins.
const demoHubName = "Kisumu Central"

// demoHub plays a care hub's story: John Kamau, whose token SMS the demo
// just sent, walks in to ask where his token is. The attendant gives him a
// number, calls him, sends a consent code to his phone; he reads it out
// (the demo reads it from its SMS route), and the attendant's one screen
// shows his payment, token and its SMS. It prints how to do the same in
// the console. A step that fails is told, and the rest of the demo goes on.
func demoHub(ctx context.Context, w io.Writer, a *app.App) {
	if err := playHub(ctx, w, a); err != nil {
		fmt.Fprintf(w, "\nCare hub: %v\n", err)
	}
}

func playHub(ctx context.Context, w io.Writer, a *app.App) error {
	if a.Portal == nil || a.Staff == nil {
		return nil
	}
	john := app.DemoCustomers[0]
	hb, err := hub.Create(ctx, a.DB, demoHubName, "Kisumu")
	if err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	u, setup, err := a.Staff.CreateUser(ctx, "akinyi", "Akinyi Otieno", staff.RoleHub, "demo")
	if err != nil {
		return fmt.Errorf("demo hub: attendant: %w", err)
	}
	if err := hub.Attach(ctx, a.DB, u.ID, hb.ID); err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	tk, err := hub.Issue(ctx, a.DB, hb.ID)
	if err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	if tk, err = hub.CallNext(ctx, a.DB, hb.ID, u.Username); err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	since := time.Now()
	if _, err := a.Portal.Login.RequestConsent(ctx, john.Phone, "", u.ID, u.Username, hb.Name); err != nil {
		return fmt.Errorf("demo hub: consent: %w", err)
	}
	sms, code, err := waitForConsent(ctx, a, john.Phone, since, 30*time.Second)
	if err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	s, token, err := a.Portal.Login.VerifyConsent(ctx, john.Phone, code, "", u.ID, hb.ID)
	if err != nil {
		return fmt.Errorf("demo hub: consent code: %w", err)
	}
	ans, err := hub.Lookup(ctx, a.DB, s.MSISDN, a.DB.Now())
	if err != nil {
		return fmt.Errorf("demo hub: look-up: %w", err)
	}
	if err := a.Portal.Login.EndAssisted(ctx, token, u.ID); err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}
	if _, err := hub.Done(ctx, a.DB, hb.ID, tk.ID); err != nil {
		return fmt.Errorf("demo hub: %w", err)
	}

	fmt.Fprintf(w, "\nCare hub %q: %s walks in and asks \"where is my token?\"\n", hb.Name, john.Name)
	fmt.Fprintf(w, "  The attendant akinyi gives him number %s and calls it. She types his phone; he gets:\n\n%s\n\n", tk.Label(), indent(sms))
	fmt.Fprintf(w, "  He reads out %s; her screen, for %s only and for %s, shows:\n", code, phone.Mask(s.MSISDN), login.AssistedTTL)
	for _, p := range ans.Purchases {
		fmt.Fprintf(w, "    %s  %s  %s  meter %s  payment %s\n", p.Payment.ReceivedAt.Format("15:04:05"), p.Payment.Receipt, p.Payment.Amount, p.Payment.MeterDRN, p.Payment.State)
		if p.Vend != nil {
			for _, t := range p.Vend.Tokens {
				fmt.Fprintf(w, "      token %s  %s kWh\n", t.Grouped(), p.Vend.Units())
			}
		}
		for _, m := range p.Messages {
			fmt.Fprintf(w, "      SMS to %s: %s%s\n", phone.Mask(m.Recipient), m.State, smsTimes(m))
		}
	}
	fmt.Fprintf(w, `  She ends the session ("Done") and marks %s served; every step is in the audit log.
  Do it yourself in the console:
    1. Open akinyi's set-up link, choose a password, scan the QR code into an authenticator app:
       %s
    2. Sign in at %s/staff/ : her screen is %s/staff/hub (the queue, the customer at the counter).
    3. "Give a number", "Call next", then type %s's phone %s and "Send consent code".
    4. The code is in the demo's SMS at %s/demo/sms; type it, and "Where is my token?" shows his
       payments, tokens and their SMS, with "Send the token again" and "Print or read out";
       "Open the customer's portal" serves his own pages under a banner naming her.
    5. An admin adds hubs and reads their daily report (wait and service times) at /staff/hubs.
`, tk.Label(), setupLink(a.Config, setup), a.URL(), a.URL(), john.Name, john.Phone, a.URL())
	return nil
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// waitForConsent returns the first consent SMS to to after since, and its
// code.
func waitForConsent(ctx context.Context, a *app.App, to string, since time.Time, timeout time.Duration) (string, string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, m := range a.Sink.Messages() {
			if m.To == to && !m.At.Before(since) && strings.Contains(m.Text, demoHubName) {
				if code := sixDigits.FindString(m.Text); code != "" {
					return m.Text, code, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return "", "", fmt.Errorf("no consent SMS to %s within %s", to, timeout)
}

// smsTimes words when a message was sent and delivered.
func smsTimes(m notify.Message) string {
	var b strings.Builder
	if !m.SubmittedAt.IsZero() {
		b.WriteString(", sent " + m.SubmittedAt.Local().Format("15:04:05"))
	}
	if !m.DeliveredAt.IsZero() {
		b.WriteString(", delivered " + m.DeliveredAt.Local().Format("15:04:05"))
	}
	return b.String()
}
