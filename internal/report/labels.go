package report

// Titles of the reports.
var (
	titleRevenue  = Label{"Revenue and collections", "Mapato na makusanyo"}
	titleLatency  = Label{"Time to token and to SMS", "Muda hadi tokeni na hadi SMS"}
	titleMessages = Label{"Messages by route and outcome", "Jumbe kwa njia na matokeo"}
	titleSuspense = Label{"Suspense by age", "Malipo yaliyosimamishwa kwa umri"}
	titleFaults   = Label{"Faults and time to close", "Hitilafu na muda wa kuzifunga"}
	titleUsage    = Label{"Self-service by channel", "Huduma binafsi kwa njia"}
)

// Column labels several reports share.
var (
	colDay      = Column{"day", Label{"Day", "Siku"}, Day}
	colChannel  = Column{"channel", Label{"Channel", "Njia"}, Text}
	colPayments = Label{"Payments", "Malipo"}
	colAmount   = Label{"Amount", "Kiasi"}
)

// none names an empty key (no area, no route yet).
var none = Label{"(none)", "(hakuna)"}

// labelOr returns the label of key in m, the key itself when m has none,
// and none for an empty key.
func labelOr(m map[string]Label, key string) Label {
	if key == "" {
		return none
	}
	if l, ok := m[key]; ok {
		return l
	}
	return same(key)
}

// channels are the ways money comes in and sales are made, in the order
// reports list them. STK pushes are told apart by where the customer
// started them.
var channelOrder = []string{"paybill", "stk_ussd", "stk_web", "stk_app", "stk_api", "stk_agent", "stk_unknown", "suspense", "agent", "cash", "bank"}

var channelLabels = map[string]Label{
	"paybill":     {"Paybill (C2B)", "Paybill (C2B)"},
	"stk_ussd":    {"STK from USSD", "STK kupitia USSD"},
	"stk_web":     {"STK from the portal", "STK kupitia tovuti"},
	"stk_app":     {"STK from the app", "STK kupitia programu"},
	"stk_api":     {"STK from the API", "STK kupitia API"},
	"stk_agent":   {"STK by an agent", "STK kupitia wakala"},
	"stk_unknown": {"STK, push unknown", "STK, ombi lisilojulikana"},
	"suspense":    {"Staff, from suspense", "Wafanyakazi, kutoka malipo yaliyosimamishwa"},
	"agent":       {"Agent", "Wakala"},
	"cash":        {"Cash", "Pesa taslimu"},
	"bank":        {"Bank", "Benki"},
}

// rank orders keys by a list, unknown keys after it.
func rank(order []string, key string) int {
	for i, k := range order {
		if k == key {
			return i
		}
	}
	return len(order)
}
