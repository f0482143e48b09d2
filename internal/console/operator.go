package console

// operatorRoutes are the pages of a utility's set-up: tariffs, meters and
// their life, phones, faults.
func (h *Handler) operatorRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/staff/tariffs", Roles: financeRoles, fn: h.tariffs, Menu: "nav.tariffs"},
		{Method: "GET", Pattern: "/staff/tariffs/{id}", Roles: financeRoles, fn: h.tariffPage, Menu: "nav.tariffs"},
		{Method: "POST", Pattern: "/staff/tariffs/preview", Roles: adminRoles, fn: h.tariffPreview, Body: maxTariffPost},
		{Method: "POST", Pattern: "/staff/tariffs/import", Roles: adminRoles, fn: h.tariffImport, Body: maxTariffPost},
		{Method: "GET", Pattern: "/staff/quote", Roles: financeRoles, fn: h.quote, Menu: "nav.tariffs"},
	}
}
