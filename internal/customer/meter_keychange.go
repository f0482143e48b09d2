package customer

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
)

// QueueKeyChange queues a change of meter drn's key to the parameters k
// sets (the rest stay): a new supply group, tariff index, key revision or
// type, key expiry number, base date or key generation algorithm. Nothing
// is sent now. The next credit token the meter is sold carries the two key
// change tokens before it, made under the meter's current key, and the
// credit token itself is made under the new key (see vend.Worker), so the
// customer enters all three in order. A change already queued, for which no
// token has been made yet, is replaced.
//
// What STS allows, and so what is refused here:
//   - the new parameters must make a valid key (ranges, DKGA02 only with
//     EA07), and differ from the current ones: a change to the same key
//     would spend the customer's effort on nothing;
//   - the algorithm stays: a change to a 128-bit (EA11) key needs the 3rd
//     and 4th key sections, which are not made yet, and an EA11 meter
//     cannot be changed for the same reason;
//   - the base date only moves forward (1993, 2014, 2035). Moving it sets
//     the rollover bit, which makes the meter forget the TIDs it has seen;
//     with the same base date that would let old tokens in again, so the
//     bit is never set otherwise;
//   - the key expiry number must not have passed already: the meter would
//     refuse every token of the new key.
func (r *Registry) QueueKeyChange(ctx context.Context, actor, drn string, k KeyParams) (PendingKey, error) {
	var out PendingKey
	_, err := r.changeMeter(ctx, actor, drn, func(tx *store.Tx, m *Meter) ([]event, error) {
		next := k.apply(*m)
		if err := checkKeyChange(*m, next, tx); err != nil {
			return nil, err
		}
		pk := PendingKey{SGC: next.SGC, TI: next.TI, KRN: next.KRN, KT: next.KT, KEN: next.KEN, BaseDate: next.BaseDate,
			DKGA: next.DKGA, Rollover: next.BaseDate != m.BaseDate}
		b, err := json.Marshal(pk)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(`UPDATE meters SET pending_key = $2, updated_at = $3 WHERE drn = $1`, m.DRN, string(b), store.Micros(tx.Now)); err != nil {
			return nil, fmt.Errorf("queue key change for meter %s: %w", m.DRN, err)
		}
		detail := fmt.Sprintf("%s → %s", keysText(*m), keysText(next))
		if pk.Rollover {
			detail += ", with TID rollover"
		}
		if old, _ := m.Pending(); old != nil {
			detail += fmt.Sprintf("; replaces the change queued to %s", keysText(old.Apply(*m)))
		}
		out, m.PendingKey = pk, string(b)
		return []event{{"meter.keychange", m.DRN, detail}}, nil
	})
	return out, err
}

// checkKeyChange refuses a change from cur to next that STS does not allow
// (see QueueKeyChange).
func checkKeyChange(cur, next Meter, tx *store.Tx) error {
	var problems []string
	nm, err := next.STS()
	if err != nil {
		problems = append(problems, err.Error())
	}
	if cur.Algorithm != "EA07" || next.Algorithm != cur.Algorithm {
		problems = append(problems, fmt.Sprintf("meter %s: key changes are made to 64-bit (EA07) keys only; %s to %s needs the 3rd and 4th key sections, which are not made yet",
			cur.DRN, cur.Algorithm, next.Algorithm))
	}
	if next.BaseDate < cur.BaseDate {
		problems = append(problems, fmt.Sprintf("base date %d is before the meter's %d: a base date only moves forward", next.BaseDate, cur.BaseDate))
	}
	if err == nil {
		switch tid, err := nm.BaseDate.TID(tx.Now); {
		case err != nil:
			problems = append(problems, err.Error()) // a base date still to come, or one run out
		case uint8(tid>>16) > nm.KEN && nm.KEN != sts.NoKeyExpiry:
			problems = append(problems, fmt.Sprintf("key expiry number %d has passed (TIDs are at %d now): the meter would refuse every token", nm.KEN, uint8(tid>>16)))
		}
	}
	if keysText(cur) == keysText(next) {
		problems = append(problems, fmt.Sprintf("meter %s has these key parameters already (%s)", cur.DRN, keysText(cur)))
	}
	return invalid(problems)
}
