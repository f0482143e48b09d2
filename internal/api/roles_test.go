package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// roleColumns are the roles of roleTable's cells, in order.
var roleColumns = []string{staff.RoleIntegration, staff.RoleAgent, staff.RoleCare, staff.RoleFinance, staff.RoleAdmin}

// Cells of roleTable: refused with 403, allowed, or allowed with the token
// digits in the reply.
const (
	refused = "no"
	allowed = "yes"
	digits  = "digits"
)

// roleTable is who may call each staff route, in the order Routes
// registers them. README.md's "Roles" section shows the same table, and
// TestRoles holds both to it.
var roleTable = []struct {
	route string
	cells []string // one per roleColumns
}{
	{"GET /api/v1/meters/{drn}", []string{allowed, allowed, allowed, allowed, allowed}},
	{"GET /api/v1/meters/{drn}/vends", []string{digits, digits, digits, allowed, digits}},
	{"POST /api/v1/meters/{drn}/resend", []string{allowed, allowed, allowed, refused, allowed}},
	{"POST /api/v1/meters", []string{refused, refused, refused, refused, allowed}},
	{"PATCH /api/v1/meters/{drn}", []string{refused, refused, allowed, refused, allowed}},
	{"POST /api/v1/meters/{drn}/deactivate", []string{refused, refused, allowed, refused, allowed}},
	{"POST /api/v1/meters/{drn}/reactivate", []string{refused, refused, allowed, refused, allowed}},
	{"POST /api/v1/meters/{drn}/move", []string{refused, refused, allowed, refused, allowed}},
	{"POST /api/v1/meters/{drn}/keychange", []string{refused, refused, refused, refused, allowed}},
	{"POST /api/v1/meters/{drn}/swap", []string{refused, refused, refused, refused, allowed}},
	{"GET /api/v1/vends/{id}", []string{digits, digits, digits, allowed, digits}},
	{"GET /api/v1/payments", []string{refused, refused, allowed, allowed, allowed}},
	{"GET /api/v1/payments/{receipt}", []string{allowed, refused, allowed, allowed, allowed}},
	{"POST /api/v1/payments/{receipt}/reverse", []string{refused, refused, refused, allowed, allowed}},
	{"GET /api/v1/suspense", []string{refused, refused, allowed, allowed, allowed}},
	{"POST /api/v1/suspense/{id}/assign", []string{refused, refused, allowed, allowed, allowed}},
	{"POST /api/v1/suspense/{id}/refund", []string{refused, refused, refused, allowed, allowed}},
	{"POST /api/v1/purchases", []string{allowed, allowed, allowed, refused, allowed}},
	{"POST /api/v1/tickets", []string{refused, allowed, allowed, refused, allowed}},
	{"POST /api/v1/reconcile/statements", []string{refused, refused, refused, allowed, allowed}},
	{"GET /api/v1/reconcile/exceptions", []string{refused, refused, refused, allowed, allowed}},
	{"POST /api/v1/reconcile/exceptions/{id}/resolve", []string{refused, refused, refused, allowed, allowed}},
	{"POST /api/v1/reconcile/days/{day}/close", []string{refused, refused, refused, allowed, allowed}},
}

// Every staff route the API serves answers each role as roleTable says:
// 403 where refused, anything but 401 and 403 where allowed, token digits
// in the reply exactly where the table says so, and 401 without a key.
// The table covers every route and README.md shows it unchanged, so that
// code, test and README cannot drift apart silently.
//
// GET routes are called on a real meter, vend and payment, so that their
// replies carry what the role may see. POST routes are called with no body
// on made-up ids: refused before they change anything, or not at all.
func TestRoles(t *testing.T) {
	readme := readmeRoles(t)
	var want [][]string
	for _, row := range roleTable {
		want = append(want, append([]string{row.route}, row.cells...))
	}
	if !slices.EqualFunc(readme, want, slices.Equal) {
		t.Errorf("README.md's Roles table differs from the test's:\nREADME: %q\ntest:   %q", readme, want)
	}

	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		a := apptest.Start(t, apptest.Options{Dialect: d})
		owner := app.DemoCustomers[0]
		receipt := a.PayBill(owner.Phone, owner.Meter, 500)
		a.WaitPayment(receipt, payment.Applied)
		v := a.VendOf(receipt)
		tok := v.Tokens[0]
		keys := map[string]string{staff.RoleAdmin: a.Admin}
		for _, r := range roleColumns[:4] {
			keys[r] = a.Key(r)
		}

		served := staffRoutes(t, a)
		var listed []string
		for _, row := range roleTable {
			listed = append(listed, row.route)
		}
		slices.Sort(listed)
		if !slices.Equal(served, listed) {
			t.Errorf("the staff routes served and the roles table differ:\nserved: %v\ntable:  %v", served, listed)
		}

		ids := strings.NewReplacer("{drn}", owner.Meter, "{id}", v.ID, "{receipt}", receipt)
		madeUp := regexp.MustCompile(`\{[^}]*\}`)
		for _, row := range roleTable {
			method, path, _ := strings.Cut(row.route, " ")
			if method == http.MethodGet {
				path = ids.Replace(path)
			} else {
				path = madeUp.ReplaceAllString(path, "x")
			}
			if status, reply := a.Do(method, path, "", nil); status != http.StatusUnauthorized {
				t.Errorf("%s without a key: %d, want 401: %s", row.route, status, reply)
			}
			for i, role := range roleColumns {
				status, reply := a.Do(method, path, keys[role], nil)
				cell := row.cells[i]
				switch {
				case cell == refused && status != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403: %s", row.route, role, status, reply)
				case cell != refused && (status == http.StatusForbidden || status == http.StatusUnauthorized):
					t.Errorf("%s as %s: %d, want it allowed: %s", row.route, role, status, reply)
				}
				shown := bytes.Contains(reply, []byte(tok.Digits)) || bytes.Contains(reply, []byte(tok.Grouped()))
				if shown != (cell == digits) {
					t.Errorf("%s as %s: token digits in the reply: %v, want %v: %s", row.route, role, shown, cell == digits, reply)
				}
				// Without the digits a vend still says which tokens it made.
				if cell == allowed && bytes.Contains(reply, []byte(`"tokens"`)) && !bytes.Contains(reply, []byte(`"tid":`)) {
					t.Errorf("%s as %s: the tokens lost their TID: %s", row.route, role, reply)
				}
			}
		}
	})
}

// staffRoutes lists the /api/v1 routes the app serves to API keys, not
// the customer app's.
func staffRoutes(t *testing.T, a *apptest.App) []string {
	t.Helper()
	var out []string
	for _, r := range servedRoutes(t, a.Mux) {
		if _, path, _ := strings.Cut(r, " "); !selfService(path) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// readmeRoles reads the table of README.md's "Roles" section: one row per
// route, the route then one cell per role, header checked against
// roleColumns.
func readmeRoles(t *testing.T) [][]string {
	t.Helper()
	rows := apptest.ReadmeTable(t, "Roles")
	if len(rows) == 0 || rows[0][0] != "route" || !slices.Equal(rows[0][1:], roleColumns) {
		t.Fatalf("README.md's Roles table does not start with the columns route, %v: %v", roleColumns, rows)
	}
	return rows[1:]
}
