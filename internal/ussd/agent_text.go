package ussd

// agentTexts are the agent menu's phrases, apart from the customers' so
// that each can be checked whole in both languages.
type agentTexts struct {
	EnterPIN, WrongPIN, Locked              string
	Sell, Float, Resend, Report, CloseShift string
	FloatIs                                 string // float, available, sales, cash
	EnterCash                               string
	ConfirmSell                             string // amount, meter
	YesSell                                 string
	Sold                                    string // amount, meter, token, receipt
	SoldPending                             string // amount, meter, receipt
	NoFloat                                 string
	NoMeter                                 string // meter
	Resent                                  string // meter
	Reported                                string // reference
	EnterCounted                            string
	ConfirmClose                            string // counted
	YesClose                                string
	NoShift                                 string
	Closed                                  string // sales, expected, counted, verdict
	Balanced                                string
	Difference                              string // difference
	AddPhone, EnterPhone, BadPhone          string
	EnterCode                               string // phone
	BadCode, CodeWrong                      string
	PhoneAdded                              string // phone, meter
}

var agentEnglish = agentTexts{
	EnterPIN:     "Agent: enter your PIN",
	WrongPIN:     "Wrong PIN.",
	Locked:       "Too many wrong PINs. Agent menu locked; try again later.",
	Sell:         "Sell token (cash)",
	Float:        "Float balance",
	Resend:       "Re-send last token",
	Report:       "Report fault/outage",
	CloseShift:   "Close shift",
	FloatIs:      "Float %s. Can sell %s. This shift: %d sales, cash %s.",
	EnterCash:    "Cash paid by the customer:",
	ConfirmSell:  "Sell %s of power to meter %s from your float?",
	YesSell:      "1 Yes, sell",
	Sold:         "Sold %s to %s. Token %s Ref %s. Also sent by SMS.",
	SoldPending:  "Sold %s to %s. Ref %s. The token comes by SMS; re-send or reprint it any time.",
	NoFloat:      "Float too low for this sale. Top up by M-Pesa Paybill, account AGENT and your outlet code.",
	NoMeter:      "No active meter %s. Check the number.",
	Resent:       "The last token of meter %s will come to its phones by SMS shortly.",
	Reported:     "Reported. Reference %s. The customer will be contacted.",
	EnterCounted: "Cash counted in the till:",
	ConfirmClose: "Close the shift with %s counted?",
	YesClose:     "1 Yes, close",
	NoShift:      "No open shift: there were no sales since the last close.",
	Closed:       "Shift closed: %d sales, expected %s, counted %s. %s",
	Balanced:     "Balanced.",
	Difference:   "Difference %s recorded.",
	AddPhone:     "Register customer phone",
	EnterPhone:   "Customer's phone number:",
	BadPhone:     "Phone number not valid, e.g. 0712345678",
	EnterCode:    "A code was sent by SMS to %s. Enter the code the customer received:",
	BadCode:      "Enter the 6 digits of the code",
	CodeWrong:    "Wrong or expired code. The phone was not added; start again for a new code.",
	PhoneAdded:   "Phone %s added to meter %s. It will get the meter's tokens by SMS.",
}

var agentSwahili = agentTexts{
	EnterPIN:     "Wakala: weka PIN yako",
	WrongPIN:     "PIN si sahihi.",
	Locked:       "PIN zisizo sahihi nyingi. Menyu ya wakala imefungwa; jaribu baadaye.",
	Sell:         "Uza tokeni (pesa taslimu)",
	Float:        "Salio la float",
	Resend:       "Tuma tokeni ya mwisho",
	Report:       "Ripoti hitilafu/kukatika",
	CloseShift:   "Funga zamu",
	FloatIs:      "Float %s. Unaweza kuuza %s. Zamu hii: mauzo %d, pesa %s.",
	EnterCash:    "Pesa aliyolipa mteja:",
	ConfirmSell:  "Uza umeme wa %s kwa mita %s kutoka float yako?",
	YesSell:      "1 Ndiyo, uza",
	Sold:         "Umeuza %s kwa %s. Tokeni %s Kumb %s. Imetumwa pia kwa SMS.",
	SoldPending:  "Umeuza %s kwa %s. Kumb %s. Tokeni itakuja kwa SMS; unaweza kuituma tena au kuichapisha.",
	NoFloat:      "Float haitoshi kwa mauzo haya. Ongeza kwa M-Pesa Paybill, akaunti AGENT na nambari ya duka lako.",
	NoMeter:      "Hakuna mita hai %s. Hakikisha nambari.",
	Resent:       "Tokeni ya mwisho ya mita %s itatumwa kwa simu zake kwa SMS hivi punde.",
	Reported:     "Imeripotiwa. Kumbukumbu %s. Mteja atawasiliana nasi.",
	EnterCounted: "Pesa taslimu uliyohesabu:",
	ConfirmClose: "Funga zamu ukiwa na %s?",
	YesClose:     "1 Ndiyo, funga",
	NoShift:      "Hakuna zamu wazi: hakuna mauzo tangu ulipofunga.",
	Closed:       "Zamu imefungwa: mauzo %d, inatarajiwa %s, imehesabiwa %s. %s",
	Balanced:     "Inalingana.",
	Difference:   "Tofauti %s imerekodiwa.",
	AddPhone:     "Sajili simu ya mteja",
	EnterPhone:   "Nambari ya simu ya mteja:",
	BadPhone:     "Nambari ya simu si sahihi, mfano 0712345678",
	EnterCode:    "Nambari imetumwa kwa SMS kwa %s. Weka nambari aliyopokea mteja:",
	BadCode:      "Weka tarakimu 6 za nambari",
	CodeWrong:    "Nambari si sahihi au imeisha. Simu haikuongezwa; anza tena upate nambari mpya.",
	PhoneAdded:   "Simu %s imeongezwa kwa mita %s. Itapokea tokeni za mita kwa SMS.",
}

// at returns the agent menu's phrases in the session's language.
func (s *session) at() *agentTexts {
	if s.lang == langSW {
		return &agentSwahili
	}
	return &agentEnglish
}
