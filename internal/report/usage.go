package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mteja/mteja/internal/usage"
)

var usageChannels = []string{usage.USSD, usage.SMS, usage.Web, usage.App, usage.API, usage.Staff}

var usageChannelLabels = map[string]Label{
	usage.USSD:  {"USSD", "USSD"},
	usage.SMS:   {"SMS keywords", "Maneno ya SMS"},
	usage.Web:   {"Web portal", "Tovuti"},
	usage.App:   {"App", "Programu"},
	usage.API:   {"API (partners, agents)", "API (washirika, mawakala)"},
	usage.Staff: {"Staff", "Wafanyakazi"},
}

var actionLabels = map[string]Label{
	usage.Tokens:    {"Last tokens", "Tokeni za mwisho"},
	usage.Balance:   {"Balance", "Salio"},
	usage.Purchases: {"Purchases", "Manunuzi"},
	usage.Buy:       {"Buy", "Nunua"},
	usage.Paid:      {"Paid, no token", "Nimelipa, sina tokeni"},
	usage.Resend:    {"Resend tokens", "Tuma tokeni tena"},
	usage.Fault:     {"Report a fault", "Ripoti hitilafu"},
	usage.Outage:    {"Outages", "Kukatika kwa umeme"},
	usage.Language:  {"Language", "Lugha"},
	usage.Meters:    {"Meters", "Mita"},
	usage.Help:      {"Help", "Msaada"},
	usage.OptOut:    {"Stop notices", "Sitisha matangazo"},
	usage.OptIn:     {"Notices again", "Anza matangazo"},
	// Staff on customers' behalf.
	usage.PaymentList:  {"Payment look-ups", "Kutafuta malipo"},
	usage.SuspenseList: {"Suspense list", "Orodha ya malipo yaliyosimamishwa"},
	usage.Assign:       {"Assign from suspense", "Kuhamisha kutoka malipo yaliyosimamishwa"},
	usage.Refund:       {"Refunds", "Kurejesha pesa"},
	usage.Reverse:      {"Reversals", "Kubatilisha malipo"},
}

// Usage counts the uses of self-service functions by day, channel and
// action, as the channels recorded them (package usage). Each node adds
// its counts every minute, so the last minute may not show yet.
func Usage(ctx context.Context, q Querier, r Range) (Table, error) {
	if err := r.check(); err != nil {
		return Table{}, err
	}
	first, n := r.days()
	t := Table{ID: "usage", Title: titleUsage,
		Note: Label{"Uses of each function, counted where the channel served it.", "Matumizi ya kila huduma, yakihesabiwa pale njia ilipoihudumia."},
		Columns: []Column{colDay, colChannel,
			{"action", Label{"Function", "Huduma"}, Text},
			{"uses", Label{"Uses", "Matumizi"}, Count}}}
	perChannel := map[string][]int64{}
	// Days are stored as their dates, which sort as text.
	err := scanRows(ctx, q, `SELECT day, channel, action, uses FROM usage_daily WHERE day >= $1 AND day <= $2 ORDER BY day, channel, action`,
		[]any{dayName(first), dayName(first + int64(n) - 1)},
		func(scan func(...any) error) error {
			var day, ch, action string
			var uses int64
			if err := scan(&day, &ch, &action, &uses); err != nil {
				return err
			}
			d, err := time.Parse(time.DateOnly, day)
			if err != nil {
				return fmt.Errorf("usage day %q: %w", day, err)
			}
			t.Rows = append(t.Rows, []Cell{dayCell(day), textCell(ch, labelOr(usageChannelLabels, ch)), textCell(action, labelOr(actionLabels, action)), num(uses)})
			if perChannel[ch] == nil {
				perChannel[ch] = make([]int64, n)
			}
			perChannel[ch][d.UnixMicro()/dayMicros-first] += uses
			return nil
		})
	if err != nil {
		return Table{}, fmt.Errorf("usage report: %w", err)
	}
	slices.SortStableFunc(t.Rows, func(a, b []Cell) int {
		return cmp.Or(cmp.Compare(a[0].Text, b[0].Text), cmp.Compare(rank(usageChannels, a[1].Text), rank(usageChannels, b[1].Text)))
	})
	p := Plot{ID: "usage-channels", Title: Label{"Uses by channel", "Matumizi kwa njia"}, Kind: Stacked, Unit: Count, X: r.dayLabels()}
	for _, ch := range sortedKeys(perChannel, usageChannels) {
		p.Series = append(p.Series, Series{Name: labelOr(usageChannelLabels, ch), Values: perChannel[ch]})
	}
	t.Plots = []Plot{p}
	return t, nil
}
