package customer

import (
	"context"
	"errors"
	"fmt"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// Swap records that meter old was replaced on site by the meter newDRN,
// whose key parameters are those k sets over the old meter's. It returns
// the new meter.
//
// The new meter takes the old one's place: its customer (so its phones),
// tariff, area, status (a swap does not lift a deactivation), debt, and the
// energy bought this calendar month, so that block tariffs go on counting
// the supply point's month rather than starting a new lifeline block.
// Moving the debt needs no ledger posting: arrears are one account in the
// books, equal to what all meters owe together, and the total is the same.
//
// TIDs, per STS: a meter remembers the TIDs of the tokens it accepted and
// refuses any not newer, and TIDs are checked per meter, under the meter's
// own decoder key (derived from its own number). The new meter has never
// seen a token, so it starts its own sequence from the current minute
// (last TID 0), and the old meter's last TID stays in its record, of no use
// to the new one. A key change queued for the old meter is dropped: it was
// for the old meter's key.
//
// The old meter is retired for good: its number can never be sold to
// again. A payment for it from then on goes to suspense with the reason
// (where staff assign it to the new meter or refund it), as does one
// already received but not yet vended; it keeps its vends, tokens and
// payments, but no longer belongs to the customer, so menus and the app
// stop offering it, and it names the meter that replaced it.
func (r *Registry) Swap(ctx context.Context, actor, old, newDRN string, k KeyParams) (Meter, error) {
	d, err := sts.ParseDRN(newDRN)
	if err != nil {
		return Meter{}, invalid([]string{"new meter: " + err.Error()})
	}
	var out Meter
	_, err = r.changeMeter(ctx, actor, old, func(tx *store.Tx, om *Meter) ([]event, error) {
		if string(d) == om.DRN {
			return nil, invalid([]string{fmt.Sprintf("meter %s cannot replace itself", om.DRN)})
		}
		switch _, err := GetMeter(ctx, tx, string(d)); {
		case err == nil:
			return nil, conflict("meter %s is already registered: a swap brings in a meter new to the system", d)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
		nm := k.apply(*om)
		nm.DRN, nm.LastTID, nm.PendingKey, nm.Debt, nm.ReplacedBy = string(d), 0, "", 0, ""
		if _, err := nm.STS(); err != nil {
			return nil, invalid([]string{"new meter: " + err.Error()})
		}
		if err := CreateMeter(tx, &nm); err != nil {
			if store.IsUniqueViolation(err) {
				return nil, conflict("meter %s is already registered", nm.DRN)
			}
			return nil, err
		}
		now := store.Micros(tx.Now)
		if _, err := tx.Exec(`UPDATE meters SET debt = $2, month = $3, month_wh = $4, updated_at = $5 WHERE drn = $1`,
			nm.DRN, int64(om.Debt), om.Month, om.MonthWh, now); err != nil {
			return nil, fmt.Errorf("swap meter %s: %w", om.DRN, err)
		}
		if _, err := tx.Exec(`UPDATE meters SET status = $2, replaced_by = $3, customer_id = NULL, debt = 0, pending_key = '', updated_at = $4 WHERE drn = $1`,
			om.DRN, MeterRetired, nm.DRN, now); err != nil {
			return nil, fmt.Errorf("swap meter %s: %w", om.DRN, err)
		}
		nm.Debt, nm.Month, nm.MonthWh = om.Debt, om.Month, om.MonthWh
		out = nm
		moved := fmt.Sprintf("customer %s, tariff %s, area %q, status %s, debt %s and this month's %d Wh", om.CustomerID, om.TariffID, om.Area, om.Status, om.Debt, om.MonthWh)
		return []event{
			{"meter.swap", om.DRN, fmt.Sprintf("retired, replaced by %s (%s); %s move to it; last TID %d stays here", nm.DRN, keysText(nm), moved, om.LastTID)},
			{"meter.swap", nm.DRN, fmt.Sprintf("replaces %s; %s; its TIDs start afresh", om.DRN, moved)},
		}, nil
	})
	return out, err
}
