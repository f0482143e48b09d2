package reconcile

import (
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// origin says where records came from.
type origin struct {
	source      string // SourceStatement or SourcePull
	statementID string
	pulledAt    time.Time
}

// key names a record among M-Pesa's: its receipt and kind.
func (r Record) key() string { return r.Receipt + " " + r.Kind }

// storeRecords keeps M-Pesa's records, each once by receipt and kind: a
// record stored before is only marked seen by this source too. It returns
// the keys of the records new here, and the amounts stored before of those
// whose earlier record says another amount.
func storeRecords(tx *store.Tx, recs []Record, o origin) (fresh map[string]bool, differ map[string]money.Amount, err error) {
	fresh, differ = map[string]bool{}, map[string]money.Amount{}
	for lo := 0; lo < len(recs); lo += 500 {
		chunk := recs[lo:min(lo+500, len(recs))]
		if err := insertRecords(tx, chunk, o, fresh); err != nil {
			return nil, nil, err
		}
		var old []Record
		for _, r := range chunk {
			if !fresh[r.key()] {
				old = append(old, r)
			}
		}
		if err := markSeen(tx, old, o, differ); err != nil {
			return nil, nil, err
		}
	}
	return fresh, differ, nil
}

func insertRecords(tx *store.Tx, recs []Record, o origin, fresh map[string]bool) error {
	var b strings.Builder
	b.WriteString(`INSERT INTO mpesa_records (receipt, kind, status, completed_at, initiated_at, day, amount, reason_type, details, payer, payer_name, account_ref, linked, statement_id, pulled_at) VALUES `)
	args := make([]any, 0, len(recs)*15)
	for i, r := range recs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s)", store.Placeholders(len(args)+1, 15))
		args = append(args, r.Receipt, r.Kind, store.Truncate(r.Status, 40), store.Micros(r.CompletedAt), store.Micros(r.InitiatedAt), Day(r.CompletedAt),
			int64(r.Amount), store.Truncate(r.ReasonType, 80), store.Truncate(r.Details, 200), store.Truncate(r.Payer, 64), store.Truncate(r.PayerName, 100),
			store.Truncate(r.AccountRef, 40), store.Truncate(r.Linked, 40), o.statementID, store.Micros(o.pulledAt))
	}
	b.WriteString(` ON CONFLICT (receipt, kind) DO NOTHING RETURNING receipt, kind`)
	rows, err := tx.Query(b.String(), args...)
	if err != nil {
		return fmt.Errorf("store m-pesa records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var receipt, kind string
		if err := rows.Scan(&receipt, &kind); err != nil {
			return fmt.Errorf("store m-pesa records: %w", err)
		}
		fresh[receipt+" "+kind] = true
	}
	return rows.Err()
}

// markSeen marks records stored before as seen by this source, and notes
// those whose stored amount differs.
func markSeen(tx *store.Tx, recs []Record, o origin, differ map[string]money.Amount) error {
	if len(recs) == 0 {
		return nil
	}
	keys := make([]any, len(recs))
	byKey := map[string]Record{}
	for i, r := range recs {
		keys[i] = r.key()
		byKey[r.key()] = r
	}
	in := store.Placeholders(2, len(keys))
	set := `statement_id = $1 WHERE statement_id = ''`
	var mark any = o.statementID
	if o.source == SourcePull {
		set, mark = `pulled_at = $1 WHERE pulled_at = 0`, store.Micros(o.pulledAt)
	}
	if _, err := tx.Exec(`UPDATE mpesa_records SET `+set+` AND (receipt || ' ' || kind) IN (`+in+`)`, append([]any{mark}, keys...)...); err != nil {
		return fmt.Errorf("mark m-pesa records seen: %w", err)
	}
	rows, err := tx.Query(`SELECT receipt, kind, amount FROM mpesa_records WHERE (receipt || ' ' || kind) IN (`+store.Placeholders(1, len(keys))+`)`, keys...)
	if err != nil {
		return fmt.Errorf("m-pesa records stored before: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var receipt, kind string
		var amount int64
		if err := rows.Scan(&receipt, &kind, &amount); err != nil {
			return err
		}
		if r := byKey[receipt+" "+kind]; money.Amount(amount) != r.Amount {
			differ[r.key()] = money.Amount(amount)
		}
	}
	return rows.Err()
}
