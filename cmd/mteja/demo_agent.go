package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/money"
)

// The demo's agent outlet and its user (made up; the PIN is printed).
const (
	demoOutletCode = "KDL"
	demoAgentPhone = "254722000333"
	demoAgentPIN   = "1234"
)

// demoAgent plays an agent's day: the outlet's float is topped up by
// M-Pesa Paybill (account AGENTKDL), the agent sells a token for cash on
// the USSD menu (choice 9, then the PIN) and closes the shift with the cash
// counted, which reconciles with the ledger. It prints each screen, then
// what to try.
func demoAgent(ctx context.Context, w io.Writer, a *app.App) error {
	o, err := a.Agents.CreateOutlet(ctx, "demo", demoOutletCode, "Kondele Agency", money.MustFromMajor(1000))
	if err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	if err := a.Agents.SetRule(ctx, "demo", o.ID, agent.Rule{ShareBP: 150}); err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	if _, err := a.Agents.CreateUser(ctx, "demo", o.ID, "Wanjiru Otieno", demoAgentPhone, demoAgentPIN); err != nil {
		return fmt.Errorf("demo agent: %w", err)
	}
	fmt.Fprintf(w, "\nAgents: outlet %s (%s), credit limit KES 1,000, commission 1.5%%; agent Wanjiru Otieno, phone %s, PIN %s.\n",
		o.Code, o.Name, demoAgentPhone, demoAgentPIN)
	receipt, err := a.Sim.PayBill(ctx, demoAgentPhone, "AGENT"+demoOutletCode, money.MustFromMajor(3000))
	if err != nil {
		return fmt.Errorf("demo agent: top-up: %w", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		cur, err := agent.GetOutlet(ctx, a.DB.Read(), o.ID)
		if err != nil {
			return fmt.Errorf("demo agent: %w", err)
		}
		if cur.Float > 0 {
			fmt.Fprintf(w, "Float topped up by M-Pesa Paybill %s, account AGENT%s (receipt %s): float KES %s.\n",
				a.Config.DarajaShortCode(), demoOutletCode, receipt, cur.Float)
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo agent: top-up %s not credited within 20 s", receipt)
		}
		time.Sleep(50 * time.Millisecond)
	}
	meter := app.DemoCustomers[1].Meter
	client := &http.Client{Timeout: 15 * time.Second}
	dial := func(session string, inputs ...string) error {
		form := url.Values{"sessionId": {session}, "serviceCode": {a.Config.USSDCode}, "phoneNumber": {"+" + demoAgentPhone}, "networkCode": {"63902"}}
		for i := range inputs {
			form.Set("text", strings.Join(inputs[:i+1], "*"))
			reply, err := ussdSimPost(ctx, client, a.USSDURL(), form)
			if err != nil {
				return fmt.Errorf("demo agent: USSD: %w", err)
			}
			fmt.Fprintf(w, "  > %s\n%s\n", inputs[i], indent(reply))
		}
		return nil
	}
	fmt.Fprintf(w, "\nThe agent dials %s, chooses 9 and sells KES 200 for cash to meter %s:\n", a.Config.USSDCode, meter)
	if err := dial("demo-agent-sell", "9", demoAgentPIN, "1", meter, "200", "1"); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nThen counts KES 200 in the till and closes the shift:")
	if err := dial("demo-agent-close", "9", demoAgentPIN, "5", "200", "1"); err != nil {
		return err
	}
	fmt.Fprintf(w, `
Try as the agent:
  go run ./cmd/mteja ussd-sim -url %[1]s -phone +%[2]s
  then 9 and PIN %[3]s: sell, float, re-send, report an outage, close the shift.
  Top up the float:  curl -s -X POST '%[4]s/demo/pay?phone=%[2]s&meter=AGENT%[5]s&amount=1000'
`, a.USSDURL(), demoAgentPhone, demoAgentPIN, a.URL(), demoOutletCode)
	return nil
}
