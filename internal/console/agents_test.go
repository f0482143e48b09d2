package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/staff"
)

// Agent outlets: an admin adds an outlet and a user (the PIN shown once,
// and it works); finance reads the float statement and the shifts but may
// not add; care sees nothing of it.
func TestAgentOutlets(t *testing.T) {
	a := apptest.Start(t, apptest.Options{})
	admin := staffMember(t, a, "agentadmin", staff.RoleAdmin)
	finance := staffMember(t, a, "agentfinance", staff.RoleFinance)
	care := staffMember(t, a, "agentcare", staff.RoleCare)

	form := url.Values{"code": {"kdl"}, "name": {"Kondele Agency"}, "credit_limit": {"500"}, "share_bp": {"150"}, "fixed": {"0"}}
	if status, hd, page := admin.post("/staff/agents", form); status != http.StatusSeeOther || hd.Get("Location") != "/staff/agents/KDL" {
		t.Fatalf("add an outlet: %d %s\n%s", status, hd.Get("Location"), page)
	}
	if status, _, page := admin.post("/staff/agents", form); status != http.StatusBadRequest || !strings.Contains(page, "taken") {
		t.Errorf("a taken code: %d\n%s", status, page)
	}
	if status, _, _ := admin.post("/staff/agents", url.Values{"code": {"AB"}, "name": {"x"}, "share_bp": {"lots"}}); status != http.StatusBadRequest {
		t.Errorf("a share in words: %d", status)
	}
	status, _, page := admin.post("/staff/agents/KDL/users", url.Values{"name": {"Wanjiru"}, "phone": {"0722000333"}})
	m := regexp.MustCompile(`shown this once: (\d{6})`).FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("add a user: %d\n%s", status, page)
	}
	u, err := a.Agents.SignIn(context.Background(), "254722000333", m[1])
	if err != nil {
		t.Fatalf("the PIN shown does not sign in: %v", err)
	}
	a.WaitPayment(a.PayBill("254722000333", "AGENTKDL", 2000), "applied")
	if _, err := a.Agents.Sell(context.Background(), u.ID, agent.SaleRequest{Key: "sale-1", MeterDRN: "54500320905", Amount: money.MustFromMajor(300)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Agents.CloseShift(context.Background(), u.ID, money.MustFromMajor(300)); err != nil {
		t.Fatal(err)
	}
	status, page = finance.get("/staff/agents/KDL")
	for _, want := range []string{"agent_topup", "KES\u00a02,000.00", "KES\u00a0-300.00", "KES\u00a01,700.00", "150 bp", "Wanjiru"} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("outlet page for finance: %d, no %q:\n%s", status, want, page)
		}
	}
	if strings.Contains(page, `action="/staff/agents/KDL/users"`) {
		t.Errorf("finance is offered adding users")
	}
	if status, _, _ := finance.post("/staff/agents", form); status != http.StatusForbidden {
		t.Errorf("finance adds an outlet: %d", status)
	}
	if status, _ := care.get("/staff/agents"); status != http.StatusForbidden {
		t.Errorf("care reads outlets: %d", status)
	}
	if status, _ := admin.get("/staff/agents/NONE"); status != http.StatusNotFound {
		t.Errorf("no such outlet: %d", status)
	}
	if status, page := finance.get("/staff/agents"); status != http.StatusOK || !strings.Contains(page, "Kondele Agency") {
		t.Errorf("outlets for finance: %d\n%s", status, page)
	}
}
