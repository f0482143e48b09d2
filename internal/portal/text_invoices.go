package portal

// Phrases of the customer's invoices from the ISP, joined to the others.
func init() {
	for k, v := range map[string]string{
		"nav.invoices":             "Invoices",
		"invoices.title":           "My invoices",
		"invoices.invoice":         "Invoice",
		"invoices.cn":              "Credit note",
		"invoices.period":          "period",
		"invoices.status.issued":   "to pay",
		"invoices.status.paid":     "paid",
		"invoices.status.credited": "credited",
		"invoices.awaiting":        "awaiting eTIMS signature",
		"invoices.view":            "View and print",
		"invoices.pdf":             "Download PDF",
		"invoices.none":            "No invoices: they come with a monthly internet plan.",
	} {
		english[k] = v
	}
	for k, v := range map[string]string{
		"nav.invoices":             "Ankara",
		"invoices.title":           "Ankara zangu",
		"invoices.invoice":         "Ankara",
		"invoices.cn":              "Hati ya marejesho",
		"invoices.period":          "kipindi",
		"invoices.status.issued":   "ya kulipa",
		"invoices.status.paid":     "imelipwa",
		"invoices.status.credited": "imerejeshwa",
		"invoices.awaiting":        "inasubiri sahihi ya eTIMS",
		"invoices.view":            "Angalia na uchapishe",
		"invoices.pdf":             "Pakua PDF",
		"invoices.none":            "Hakuna ankara: huja na mpango wa intaneti wa kila mwezi.",
	} {
		swahili[k] = v
	}
}
