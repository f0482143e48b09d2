package care

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/store"
)

// Macro is a saved reply in both languages: the answer care gives often
// ("the crew is on the way"), sent in each customer's own.
type Macro struct {
	ID        string
	Name      string
	EN, SW    string
	UpdatedAt time.Time
	UpdatedBy string
}

// Text is the macro in lang.
func (m Macro) Text(lang string) string {
	if lang == "sw" {
		return m.SW
	}
	return m.EN
}

// Macros returns the saved replies by name.
func Macros(ctx context.Context, q Querier) ([]Macro, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, body_en, body_sw, updated_at, updated_by FROM ticket_macros ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	defer rows.Close()
	var out []Macro
	for rows.Next() {
		var m Macro
		var at int64
		if err := rows.Scan(&m.ID, &m.Name, &m.EN, &m.SW, &at, &m.UpdatedBy); err != nil {
			return nil, err
		}
		m.UpdatedAt = store.Time(at)
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetMacro returns one saved reply; an unknown id is store.ErrNotFound.
func GetMacro(ctx context.Context, q Querier, id string) (Macro, error) {
	var m Macro
	var at int64
	err := q.QueryRowContext(ctx, `SELECT id, name, body_en, body_sw, updated_at, updated_by FROM ticket_macros WHERE id = $1`, id).
		Scan(&m.ID, &m.Name, &m.EN, &m.SW, &at, &m.UpdatedBy)
	if err != nil {
		return Macro{}, store.NotFound(err, "macro "+id)
	}
	m.UpdatedAt = store.Time(at)
	return m, nil
}

// ErrMacro is returned for a macro without a name or a text in each
// language, or too long for an SMS thread.
var ErrMacro = errors.New("a macro needs a name and its reply in English and Swahili, each at most 600 characters")

// SaveMacro stores a saved reply: a new one when m.ID is "", else the one
// with that id. Names are unique. The audit log keeps who changed it.
func SaveMacro(ctx context.Context, db *store.DB, m Macro, by string) (Macro, error) {
	m.Name, m.EN, m.SW = strings.TrimSpace(m.Name), strings.TrimSpace(m.EN), strings.TrimSpace(m.SW)
	if m.Name == "" || len(m.Name) > 80 || m.EN == "" || m.SW == "" || len(m.EN) > 600 || len(m.SW) > 600 || by == "" {
		return Macro{}, ErrMacro
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		m.UpdatedAt, m.UpdatedBy = tx.Now, by
		now := store.Micros(tx.Now)
		var res sql.Result
		var err error
		action := "macro.update"
		if m.ID == "" {
			m.ID, action = uuid.Must(uuid.NewV7()).String(), "macro.create"
			res, err = tx.Exec(`INSERT INTO ticket_macros (id, name, body_en, body_sw, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, m.Name, m.EN, m.SW, now, by)
		} else {
			res, err = tx.Exec(`UPDATE ticket_macros SET name = $2, body_en = $3, body_sw = $4, updated_at = $5, updated_by = $6 WHERE id = $1`, m.ID, m.Name, m.EN, m.SW, now, by)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("macro %s: %w", m.ID, store.ErrNotFound)
		}
		return audit(tx, by, action, m.ID, m.Name)
	})
	if err != nil {
		return Macro{}, fmt.Errorf("save macro %q: %w", m.Name, err)
	}
	return m, nil
}

// DeleteMacro removes a saved reply; what was sent with it stays on the
// tickets' timelines.
func DeleteMacro(ctx context.Context, db *store.DB, id, by string) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`DELETE FROM ticket_macros WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("macro %s: %w", id, store.ErrNotFound)
		}
		return audit(tx, by, "macro.delete", id, "")
	})
	if err != nil {
		return fmt.Errorf("delete macro: %w", err)
	}
	return nil
}

// ReplyWith sends a saved reply to a ticket, in the customer's language.
func (d *Desk) ReplyWith(ctx context.Context, id, by, macroID string) error {
	m, err := GetMacro(ctx, d.DB.Read(), macroID)
	if err != nil {
		return err
	}
	tk, err := GetTicket(ctx, d.DB.Read(), id)
	if err != nil {
		return err
	}
	return d.Reply(ctx, tk.ID, by, m.Text(tk.Language))
}
