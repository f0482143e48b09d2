package tariff

import "strings"

// Line codes of a receipt. Pass-through and levy lines use their own codes
// from the tariff file; the ones below are the Kenyan schedule's.
const (
	CodeEnergy        = "energy"
	CodeVAT           = "vat"
	CodeFixed         = "fixed"
	CodeDebt          = "debt"
	CodeFuel          = "fuel_energy_cost"
	CodeForex         = "forex_adjustment"
	CodeInflation     = "inflation_adjustment"
	CodeRegulator     = "energy_regulator_levy"
	CodeRural         = "rural_electrification_levy"
	CodeWater         = "water_resources_levy"
	vatAllPassThrough = "pass_through"
	vatAllLevies      = "levies"
)

// defaultLabels word the lines as Kenya Power's itemised token SMS did
// ("Token Amt", "EPRA Charge"), so customers recognise them.
var defaultLabels = map[string]Label{
	CodeEnergy:    {"Token Amt", "Kiasi cha Tokeni"},
	CodeVAT:       {"VAT", "VAT"},
	CodeFixed:     {"Fixed Charge", "Ada ya Mwezi"},
	CodeDebt:      {"Debt Recovery", "Malipo ya Deni"},
	CodeFuel:      {"Fuel Energy Charge", "Gharama ya Mafuta"},
	CodeForex:     {"Forex Charge", "Gharama ya Fedha za Kigeni"},
	CodeInflation: {"Inflation Adjustment", "Marekebisho ya Mfumuko wa Bei"},
	CodeRegulator: {"EPRA Charge", "Ada ya EPRA"},
	CodeRural:     {"REP Charge", "Ada ya REP"},
	CodeWater:     {"WARMA Charge", "Ada ya WARMA"},
}

// Label returns the wording of a line code: the version's override, else the
// built-in label, else the code itself made readable ("street_light_levy" is
// "Street light levy"), so a new levy prints sensibly before anyone words it.
func (v Version) Label(code string) Label {
	if l, ok := v.Labels[code]; ok {
		return l
	}
	if l, ok := defaultLabels[code]; ok {
		return l
	}
	s := strings.ReplaceAll(code, "_", " ")
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return Label{s, s}
}

// reservedCode reports whether a code is one of the lines every receipt has,
// which a pass-through or levy must not reuse.
func reservedCode(code string) bool {
	switch code {
	case CodeEnergy, CodeVAT, CodeFixed, CodeDebt, vatAllPassThrough, vatAllLevies:
		return true
	}
	return false
}
