package ussd

// Languages the menus speak.
const (
	langEN = "en"
	langSW = "sw"
)

// texts holds every phrase of the menus in one language. A struct rather than
// a map keyed by strings, so that a missing phrase fails to compile and a test
// can check that both languages fill every field.
type texts struct {
	// Home screen options; Internet only where an ISP shares the deployment.
	Buy, Tokens, Paid, Purchases, Fault, Outage, Language, Internet string

	InvalidChoice string // hint above a screen shown again
	BackHome      string // "0 Back 00 Home"
	More          string // "98 More"
	Meter         string // "Meter %s"

	ChooseMeter   string
	EnterMeter    string
	BadMeter      string
	TooManyMeters string
	NotYours      string // meter

	EnterAmount     string // min, max
	EnterAmountFrom string // min
	BadAmount       string
	BelowMin        string
	AboveMax        string
	ConfirmBuy      string // amount, meter
	PayMpesa        string
	BuyStarted      string // amount
	BuyLimit        string // min, max

	NoTokens  string // meter
	KeyChange string
	SendSMS   string
	Resent    string // meter

	EnterReceipt string
	BadReceipt   string
	PaidTokens   string // receipt, meter
	PaidPending  string // receipt
	PaidNotFound string // receipt
	PaidSuspense string // receipt
	TooManyCodes string

	NoPurchases string // meter
	// Compensation marks a purchase that carried compensation for a missed
	// service standard: the amount, in the units shown.
	Compensation string // amount

	FaultMenu      string
	NoPower        string
	TokenRejected  string
	OtherFault     string
	MeterShows     string // fault menu: what my meter shows
	NoToken        string // fault menu: paid, but no token came
	WhatMeterShows string
	ConfirmFault   string // kind, meter
	YesReport      string
	DescribeFault  string
	BadNote        string
	FaultReported  string // reference

	NoOutage string

	LanguageSet string

	// The internet menu.
	MyUsage, BuyBundle, UseVoucher string
	NoAccount                      string
	ChooseAccount                  string
	ChooseOrTypeAccount            string
	EnterAccount                   string
	BadAccount                     string
	AccountNotYours                string // username
	NoBundles                      string
	ChooseBundle                   string // username
	ConfirmBundle                  string // bundle, price, username
	BundleStarted                  string // amount, username
	NoSuchAccount                  string // username
	WalletEnough                   string // username
	BundleShut                     string
	NoPush                         string // username
	BundleFromWallet               string // bundle, username
	EnterVoucher                   string // username
	BadVoucher                     string

	Unavailable string
	// TryLater ends a session while the database restarts: nothing was
	// done, and a minute from now it will be.
	TryLater    string
	SessionOver string

	// The feedback question under a final screen, and its answers.
	SurveyCSAT, SurveyNPS string
	SurveyScale           string // lowest, highest
	SurveyThanks          string
}

// chooseLanguage is the same in both languages, so that a caller who cannot
// read the current one still finds the way back.
const chooseLanguage = "Language / Lugha:\n1 English\n2 Kiswahili"

var english = texts{
	Buy:       "Buy token",
	Tokens:    "My last tokens",
	Paid:      "I paid but got no token",
	Purchases: "Purchases and units",
	Fault:     "Report a fault",
	Outage:    "Outage status",
	Language:  "Language / Lugha",
	Internet:  "Internet",

	InvalidChoice: "Invalid choice.",
	BackHome:      "0 Back 00 Home",
	More:          "98 More",
	Meter:         "Meter %s",

	ChooseMeter:   "Choose a meter, or type its number:",
	EnterMeter:    "Enter the meter number:",
	BadMeter:      "Meter number not valid, check and try again",
	TooManyMeters: "You have looked up many meters. Please try again in an hour.",
	NotYours:      "Purchases of meter %s are shown only to its registered phones.",

	EnterAmount:     "Enter amount (%s to %s):",
	EnterAmountFrom: "Enter amount (from %s):",
	BadAmount:       "Enter whole shillings, e.g. 500",
	BelowMin:        "The minimum is %s",
	AboveMax:        "The maximum is %s",
	ConfirmBuy:      "Buy power for %s, meter %s?",
	PayMpesa:        "1 Pay with M-Pesa",
	BuyStarted:      "You will get an M-Pesa prompt to pay %s. Enter your PIN; the token will come by SMS.",
	BuyLimit:        "The amount must be from %s to %s. Please dial again.",

	NoTokens:  "No tokens yet for meter %s.",
	KeyChange: "Key change",
	SendSMS:   "1 Send by SMS",
	Resent:    "The last tokens of meter %s will come to you by SMS shortly.",

	EnterReceipt: "Enter the M-Pesa code from your payment SMS (e.g. SKL51ZDR4F):",
	BadReceipt:   "Code not valid: 10 letters and digits",
	PaidTokens:   "Payment %s, meter %s:",
	PaidPending:  "We are checking payment %s with M-Pesa. Please dial again in a minute.",
	PaidNotFound: "No payment found with code %s. Check the code in your M-Pesa SMS and dial again.",
	PaidSuspense: "Payment %s was received and our team is checking it. They will contact you.",
	TooManyCodes: "You have checked many M-Pesa codes. Please try again in an hour.",

	NoPurchases:  "No purchases yet for meter %s.",
	Compensation: "incl. compensation %s",

	FaultMenu:      "Report a fault:",
	NoPower:        "No power",
	TokenRejected:  "Meter rejects token",
	OtherFault:     "Other",
	MeterShows:     "What my meter shows",
	NoToken:        "Paid, no token",
	WhatMeterShows: "What does your meter show?",
	ConfirmFault:   "Report \"%s\" at meter %s?",
	YesReport:      "1 Yes, report",
	DescribeFault:  "Describe the problem briefly:",
	BadNote:        "Please type a few words",
	FaultReported:  "Fault reported. Reference %s. Our team will contact you.",

	NoOutage: "No known power outage in your area. If you have no power, choose 5 on the menu to report a fault.",

	LanguageSet: "Language set to English.",

	MyUsage:             "My usage",
	BuyBundle:           "Buy a bundle",
	UseVoucher:          "Use a voucher",
	NoAccount:           "No internet account is registered to this phone.",
	ChooseAccount:       "Choose an account:",
	ChooseOrTypeAccount: "Choose an account, or type its name:",
	EnterAccount:        "Enter the internet account name:",
	BadAccount:          "Account name not valid, check and try again",
	AccountNotYours:     "The usage of %s is shown only to its registered phones.",
	NoBundles:           "No bundles are on sale now. Please try again later.",
	ChooseBundle:        "Bundle for %s:",
	ConfirmBundle:       "Buy %s (%s) for %s?",
	BundleStarted:       "You will get an M-Pesa prompt to pay %s. Enter your PIN; %s will be told by SMS.",
	NoSuchAccount:       "There is no internet account %s. Check the name and dial again.",
	WalletEnough:        "The wallet of %s already holds enough for this bundle: it can be bought from a phone of that account.",
	BundleShut:          "That bundle is no longer on sale. Please dial again.",
	NoPush:              "M-Pesa prompts are not available. Pay by Paybill with %s as the account number.",
	BundleFromWallet:    "%s bought for %s from its wallet. You will get an SMS.",
	EnterVoucher:        "Enter the voucher code for %s:",
	BadVoucher:          "Code not valid: type the digits on the voucher",

	Unavailable: "Service unavailable, please try again",
	TryLater:    "The service is restarting. Nothing was done. Please dial again in a minute.",
	SessionOver: "Session ended. Please dial again.",

	SurveyCSAT:   "How did we do? Reply 1 (poor) to 5 (great)",
	SurveyNPS:    "Would you recommend us? Reply 0 (no) to 10 (surely)",
	SurveyScale:  "Please reply with a number from %d to %d",
	SurveyThanks: "Thank you for your answer.",
}

var swahili = texts{
	Buy:       "Nunua tokeni",
	Tokens:    "Tokeni zangu za mwisho",
	Paid:      "Nimelipa, sina tokeni",
	Purchases: "Manunuzi na uniti",
	Fault:     "Ripoti hitilafu",
	Outage:    "Kukatika kwa umeme",
	Language:  "Lugha / Language",
	Internet:  "Intaneti",

	InvalidChoice: "Chaguo si sahihi.",
	BackHome:      "0 Rudi 00 Mwanzo",
	More:          "98 Zaidi",
	Meter:         "Mita %s",

	ChooseMeter:   "Chagua mita, au andika nambari yake:",
	EnterMeter:    "Andika nambari ya mita:",
	BadMeter:      "Nambari ya mita si sahihi, ikague ujaribu tena",
	TooManyMeters: "Umeangalia mita nyingi. Tafadhali jaribu tena baada ya saa moja.",
	NotYours:      "Ununuzi wa mita %s huonyeshwa kwa simu zake zilizosajiliwa tu.",

	EnterAmount:     "Weka kiasi (%s hadi %s):",
	EnterAmountFrom: "Weka kiasi (kuanzia %s):",
	BadAmount:       "Weka shilingi kamili, mfano 500",
	BelowMin:        "Kiasi cha chini ni %s",
	AboveMax:        "Kiasi cha juu ni %s",
	ConfirmBuy:      "Nunua umeme wa %s kwa mita %s?",
	PayMpesa:        "1 Lipa kwa M-Pesa",
	BuyStarted:      "Utapokea ombi la M-Pesa la kulipa %s. Weka PIN yako; tokeni itakufikia kwa SMS.",
	BuyLimit:        "Kiasi kiwe kati ya %s na %s. Tafadhali piga tena.",

	NoTokens:  "Bado hakuna tokeni za mita %s.",
	KeyChange: "Kubadili ufunguo",
	SendSMS:   "1 Tuma kwa SMS",
	Resent:    "Tokeni za mwisho za mita %s zitakufikia kwa SMS hivi punde.",

	EnterReceipt: "Weka msimbo wa M-Pesa ulio kwenye SMS ya malipo (mfano SKL51ZDR4F):",
	BadReceipt:   "Msimbo si sahihi: herufi na tarakimu 10",
	PaidTokens:   "Malipo %s, mita %s:",
	PaidPending:  "Tunakagua malipo %s na M-Pesa. Tafadhali piga tena baada ya dakika moja.",
	PaidNotFound: "Hatujapata malipo yenye msimbo %s. Kagua msimbo kwenye SMS ya M-Pesa kisha upige tena.",
	PaidSuspense: "Malipo %s yamepokelewa na timu yetu inayakagua. Watawasiliana nawe.",
	TooManyCodes: "Umeangalia nambari nyingi za M-Pesa. Tafadhali jaribu tena baada ya saa moja.",

	NoPurchases:  "Bado hakuna manunuzi ya mita %s.",
	Compensation: "pamoja na fidia %s",

	FaultMenu:      "Ripoti hitilafu:",
	NoPower:        "Hakuna umeme",
	TokenRejected:  "Mita inakataa tokeni",
	OtherFault:     "Nyingine",
	MeterShows:     "Ujumbe wa mita yangu",
	NoToken:        "Nimelipa, sina tokeni",
	WhatMeterShows: "Mita yako inaonyesha nini?",
	ConfirmFault:   "Ripoti \"%s\" kwa mita %s?",
	YesReport:      "1 Ndiyo, ripoti",
	DescribeFault:  "Eleza tatizo kwa ufupi:",
	BadNote:        "Tafadhali andika maneno machache",
	FaultReported:  "Hitilafu imeripotiwa. Nambari ya kumbukumbu %s. Timu yetu itawasiliana nawe.",

	NoOutage: "Hakuna taarifa ya kukatika kwa umeme eneo lako. Kama huna umeme, chagua 5 kwenye menyu kuripoti hitilafu.",

	LanguageSet: "Lugha sasa ni Kiswahili.",

	MyUsage:             "Matumizi yangu",
	BuyBundle:           "Nunua kifurushi",
	UseVoucher:          "Tumia vocha",
	NoAccount:           "Hakuna akaunti ya intaneti iliyosajiliwa kwa simu hii.",
	ChooseAccount:       "Chagua akaunti:",
	ChooseOrTypeAccount: "Chagua akaunti, au andika jina lake:",
	EnterAccount:        "Andika jina la akaunti ya intaneti:",
	BadAccount:          "Jina la akaunti si sahihi, likague ujaribu tena",
	AccountNotYours:     "Matumizi ya %s huonyeshwa kwa simu zake zilizosajiliwa tu.",
	NoBundles:           "Hakuna vifurushi vinavyouzwa sasa. Tafadhali jaribu tena baadaye.",
	ChooseBundle:        "Kifurushi cha %s:",
	ConfirmBundle:       "Nunua %s (%s) kwa %s?",
	BundleStarted:       "Utapokea ombi la M-Pesa la kulipa %s. Weka PIN yako; %s ataarifiwa kwa SMS.",
	NoSuchAccount:       "Hakuna akaunti ya intaneti %s. Kagua jina kisha upige tena.",
	WalletEnough:        "Pochi ya %s tayari ina pesa za kutosha kifurushi hiki: kinaweza kununuliwa kwa simu ya akaunti hiyo.",
	BundleShut:          "Kifurushi hicho hakiuzwi tena. Tafadhali piga tena.",
	NoPush:              "Maombi ya M-Pesa hayapatikani. Lipa kwa Paybill ukitumia %s kama nambari ya akaunti.",
	BundleFromWallet:    "%s kimenunuliwa kwa %s kutoka pochi yake. Utapokea SMS.",
	EnterVoucher:        "Weka nambari ya vocha ya %s:",
	BadVoucher:          "Nambari si sahihi: andika tarakimu za vocha",

	Unavailable: "Huduma haipatikani, tafadhali jaribu tena",
	TryLater:    "Huduma inaanza upya. Hakuna kilichofanyika. Tafadhali piga tena baada ya dakika moja.",
	SessionOver: "Kipindi kimeisha. Tafadhali piga tena.",

	SurveyCSAT:   "Tulikuhudumiaje? Jibu 1 (vibaya) hadi 5 (vizuri sana)",
	SurveyNPS:    "Ungetupendekeza? Jibu 0 (hapana) hadi 10 (hakika)",
	SurveyScale:  "Tafadhali jibu kwa nambari kutoka %d hadi %d",
	SurveyThanks: "Asante kwa jibu lako.",
}

func textsFor(lang string) *texts {
	if lang == langSW {
		return &swahili
	}
	return &english
}
