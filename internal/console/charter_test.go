package console_test

import (
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/staff"
)

// Care sees in the queue which tickets passed the charter's escalation
// point and which breached it, and the month's charter figures in the
// ticket report.
func TestCharterInConsole(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	ctx := t.Context()
	john, mary := app.DemoCustomers[0], app.DemoCustomers[1]
	open := func(msisdn, drn string, hoursAgo int64) care.Ticket {
		tk, _, err := a.Desk.Open(ctx, care.Request{Channel: care.ChannelSMS, MSISDN: msisdn, MeterDRN: drn, Category: care.CategoryNoToken, Note: "no token"})
		if err != nil {
			t.Fatal(err)
		}
		// Backdated: the evaluator reads the ticket's time.
		if _, err := a.DB.Write().ExecContext(ctx, `UPDATE tickets SET created_at = created_at - $1 WHERE id = $2`, hoursAgo*3_600_000_000, tk.ID); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	late := open(john.Phone, john.Meter, 5)
	soon := open(mary.Phone, mary.Meter, 3) // 3h30 of the 4: escalated
	a.DB.Write().ExecContext(ctx, `UPDATE tickets SET created_at = created_at - 1800000000 WHERE id = $1`, soon.ID)
	if n, err := a.Evaluator.RunOnce(ctx); err != nil || n.Breached != 1 || n.Escalated != 1 {
		t.Fatalf("evaluation %+v, %v; want one breach, one escalation", n, err)
	}
	c := staffMember(t, a, "care1", staff.RoleCare)
	_, queue := c.get("/staff/tickets")
	for ref, flag := range map[string]string{late.Ref: "charter breached", soon.Ref: "escalated (charter)"} {
		i := strings.Index(queue, ref)
		if i < 0 || !strings.Contains(queue[i:min(len(queue), i+600)], flag) {
			t.Errorf("queue: %s not marked %q", ref, flag)
		}
	}
	// John's next payment carries the compensation; his page says so.
	receipt := a.PayBill(john.Phone, john.Meter, 200)
	a.WaitPayment(receipt, "applied")
	_, h, _ := c.do("GET", "/staff/search?q="+strings.ToLower(receipt), nil, nil)
	if _, page := c.get(h.Get("Location")); !strings.Contains(page, "+ charter compensation KES\u00a050.00") {
		t.Errorf("customer page (%s) does not show the vend's compensation", h.Get("Location"))
	}
	_, report := c.get("/staff/tickets/report")
	if !strings.Contains(report, "Service charter") || !strings.Contains(report, "complaint resolved within 4 hours</td><td>2</td><td>0.0%</td><td>1</td><td>1</td><td class=\"mono\">50.00</td>") {
		t.Errorf("ticket report lacks the charter's figures (2 cases, 0.0%% met, 1 breached, 1 open, 50.00):\n%s", report)
	}
}
