package console

// Phrases of the outreach page: reminders and tariff notices.
var (
	englishOutreach = map[string]string{
		"nav.outreach":         "Reminders",
		"outreach.title":       "Reminders and tariff notices",
		"outreach.intro":       "SMS sent unasked: a reminder when a meter is later than usual to buy (once per purchase, when MTEJA_REMINDERS is on) and a notice three days before a tariff change (MTEJA_TARIFF_NOTICES). Both wait for the morning in quiet hours and skip phones that sent STOP. Days in Nairobi time.",
		"outreach.reminders":   "Low-credit reminders, last 30 days",
		"outreach.day":         "Day",
		"outreach.meters":      "Meters reminded",
		"outreach.messages":    "SMS",
		"outreach.noreminders": "No reminders in the last 30 days.",
		"outreach.notices":     "Tariff change notices",
		"outreach.tariff":      "Tariff",
		"outreach.effective":   "Takes effect",
		"outreach.phones":      "Phones told",
		"outreach.first":       "First sent",
		"outreach.last":        "Last sent",
		"outreach.nonotices":   "No tariff change notices yet.",
	}
	swahiliOutreach = map[string]string{
		"nav.outreach":         "Vikumbusho",
		"outreach.title":       "Vikumbusho na matangazo ya bei",
		"outreach.intro":       "SMS zinazotumwa bila kuombwa: kikumbusho mita inapochelewa kununua kuliko kawaida (mara moja kwa kila ununuzi, MTEJA_REMINDERS ikiwa imewashwa) na tangazo siku tatu kabla ya bei mpya (MTEJA_TARIFF_NOTICES). Zote husubiri asubuhi wakati wa saa za utulivu na huruka simu zilizotuma SITISHA. Siku kwa saa za Nairobi.",
		"outreach.reminders":   "Vikumbusho vya salio, siku 30 zilizopita",
		"outreach.day":         "Siku",
		"outreach.meters":      "Mita zilizokumbushwa",
		"outreach.messages":    "SMS",
		"outreach.noreminders": "Hakuna vikumbusho katika siku 30 zilizopita.",
		"outreach.notices":     "Matangazo ya mabadiliko ya bei",
		"outreach.tariff":      "Bei",
		"outreach.effective":   "Inaanza",
		"outreach.phones":      "Simu zilizoambiwa",
		"outreach.first":       "Ya kwanza",
		"outreach.last":        "Ya mwisho",
		"outreach.nonotices":   "Bado hakuna matangazo ya mabadiliko ya bei.",
	}
)
