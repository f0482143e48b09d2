package console

import "github.com/mteja/mteja/internal/staff"

// financeReaders may read finance's pages: finance works them, auditors
// check what was done. Care has the live operations page and the
// customer's own records; the period reports and M-Pesa's records are not
// its work.
var financeReaders = []string{staff.RoleFinance, staff.RoleAuditor}

// maxStatement bounds a statement upload, as the API does: a statement is
// far larger than any other form, and only finance may send one.
const maxStatement = 16 << 20

// financeRoutes are finance's pages: reconciliation against M-Pesa's
// records, and the management reports.
func (h *Handler) financeRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/reconcile", Roles: financeReaders, fn: h.reconcile, Menu: "nav.reconcile"},
		{Method: "POST", Pattern: "/staff/reconcile/statements", Roles: financeRoles, fn: h.statementImport, MaxBody: maxStatement},
		{Method: "GET", Pattern: "/staff/reconcile/exceptions", Roles: financeReaders, fn: h.exceptions, Menu: "nav.reconcile"},
		{Method: "GET", Pattern: "/staff/reconcile/exceptions/{id}", Roles: financeReaders, fn: h.exception, Menu: "nav.reconcile"},
		{Method: "POST", Pattern: "/staff/reconcile/exceptions/{id}/resolve", Roles: financeRoles, fn: h.resolve},
		{Method: "GET", Pattern: "/staff/reconcile/days", Roles: financeReaders, fn: h.days, Menu: "nav.reconcile"},
		{Method: "POST", Pattern: "/staff/reconcile/days/{day}/close", Roles: financeRoles, fn: h.closeDay},

		{Method: "GET", Pattern: "/staff/reports", Roles: financeReaders, fn: h.reports, Menu: "nav.reports"},
		{Method: "GET", Pattern: "/staff/reports/{id}", Roles: financeReaders, fn: h.report, Menu: "nav.reports"},
		{Method: "GET", Pattern: "/staff/reports/{id}/csv", Roles: financeReaders, fn: h.reportCSV},
	}
}
