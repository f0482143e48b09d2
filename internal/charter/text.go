package charter

import (
	"fmt"

	"github.com/mteja/mteja/internal/money"
)

// BreachText tells a customer that a standard was missed for them and
// what their next token will carry for it. ref is the ticket, receipt or
// area the case is known by.
func BreachText(lang, utility string, s Standard, ref, drn string, amount money.Amount) string {
	if lang == "sw" {
		return fmt.Sprintf("%s: Hatukutimiza ahadi yetu (%s) kwa %s. Fidia ya KES %s itaongezwa kwenye tokeni yako ijayo ya mita %s. Samahani.",
			utility, s.Title("sw"), ref, amount, drn)
	}
	return fmt.Sprintf("%s: We missed our promise (%s) on %s. KES %s compensation will be added to your next token for meter %s. We apologise.",
		utility, s.Title("en"), ref, amount, drn)
}

// ReminderText reminds a customer of compensation still waiting for their
// next token, and how to stop such reminders.
func ReminderText(lang, utility, drn string, amount money.Amount) string {
	if lang == "sw" {
		return fmt.Sprintf("%s: Fidia ya KES %s bado inakusubiri. Itaongezwa kwenye tokeni yako ijayo ya mita %s. Jibu STOP kusitisha ujumbe huu.", utility, amount, drn)
	}
	return fmt.Sprintf("%s: KES %s compensation is still waiting for you. Your next token for meter %s will include it. Reply STOP to end these reminders.", utility, amount, drn)
}
