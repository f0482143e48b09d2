package console

// financeRoutes are finance's pages: reconciliation against M-Pesa's
// records, and the management reports.
func (h *Handler) financeRoutes() []route { return nil }
