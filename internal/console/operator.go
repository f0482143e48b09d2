package console

import "github.com/mteja/mteja/internal/customer"

// operatorRoutes are the pages of a utility's set-up: tariffs, meters and
// their life, phones, faults.
func (h *Handler) operatorRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/tariffs", Roles: financeRoles, fn: h.tariffs, Menu: "nav.tariffs"},
		{Method: "GET", Pattern: "/staff/tariffs/{id}", Roles: financeRoles, fn: h.tariffPage, Menu: "nav.tariffs"},
		{Method: "POST", Pattern: "/staff/tariffs/preview", Roles: adminRoles, fn: h.tariffPreview, MaxBody: maxTariffPost},
		{Method: "POST", Pattern: "/staff/tariffs/import", Roles: adminRoles, fn: h.tariffImport, MaxBody: maxTariffPost},
		{Method: "GET", Pattern: "/staff/quote", Roles: financeRoles, fn: h.quote, Menu: "nav.tariffs"},

		{Method: "GET", Pattern: "/staff/meters/new", Roles: adminRoles, fn: h.meterNew, Menu: "nav.register"},
		{Method: "POST", Pattern: "/staff/meters", Roles: adminRoles, fn: h.meterRegister},
		{Method: "GET", Pattern: "/staff/meters/{drn}/manage", Roles: careRoles, fn: h.meterManage, Menu: "nav.search"},
		{Method: "POST", Pattern: "/staff/meters/{drn}/edit", Roles: careRoles, fn: h.meterEdit},
		{Method: "POST", Pattern: "/staff/meters/{drn}/deactivate", Roles: careRoles, fn: h.meterStatus("deactivated", (*customer.Registry).Deactivate)},
		{Method: "POST", Pattern: "/staff/meters/{drn}/reactivate", Roles: careRoles, fn: h.meterStatus("reactivated", (*customer.Registry).Reactivate)},
		{Method: "POST", Pattern: "/staff/meters/{drn}/move", Roles: careRoles, fn: h.meterMove},
		{Method: "POST", Pattern: "/staff/meters/{drn}/keychange", Roles: adminRoles, fn: h.meterKeyChange},
		{Method: "POST", Pattern: "/staff/meters/{drn}/swap", Roles: adminRoles, fn: h.meterSwap},
		{Method: "POST", Pattern: "/staff/customers/{id}/phones", Roles: careRoles, fn: h.phoneAdd},

		{Method: "POST", Pattern: "/staff/meters/{drn}/faults", Roles: careRoles, fn: h.faultRaise},
		{Method: "GET", Pattern: "/staff/faults", Roles: careRoles, fn: h.faults, Menu: "nav.faults"},
		{Method: "POST", Pattern: "/staff/faults/{id}/close", Roles: careRoles, fn: h.faultClose},
	}
}
