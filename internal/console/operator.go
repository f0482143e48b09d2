package console

// operatorRoutes are the pages of a utility's set-up: tariffs, meters and
// their life, phones, faults.
func (h *Handler) operatorRoutes() []route { return nil }
