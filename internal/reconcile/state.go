package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
)

// pullMargin keeps a pull clear of the edge of what M-Pesa still holds:
// M-Pesa measures its 48 hours by its own clock.
const pullMargin = 5 * time.Minute

// pullOldest is the earliest time a pull at now may ask M-Pesa for.
func pullOldest(now time.Time) time.Time { return now.Add(-mpesa.PullWindow + pullMargin) }

// PullRun is one pull that ended: the window it read and what it found.
type PullRun struct {
	From, To   time.Time
	Rows, New  int
	FinishedAt time.Time
}

// Span is a stretch of time.
type Span struct{ From, To time.Time }

// Overlaps reports whether s and o share any time.
func (s Span) Overlaps(o Span) bool { return s.From.Before(o.To) && o.From.Before(s.To) }

// StatementInfo is a statement imported: the span of its transactions,
// and who imported it when.
type StatementInfo struct {
	ID, Name   string
	Rows       int
	Span       Span
	ImportedAt time.Time
	ImportedBy string
}

// PullState is how far M-Pesa's Pull API has been read, for staff to see
// what a statement must still cover.
type PullState struct {
	// CoveredTo is where the last pull held Mteja's payments to M-Pesa's
	// list up to, and where the next starts; zero before the first pull.
	CoveredTo time.Time
	Pulls     []PullRun // the latest, newest first
	// Pending is the time since CoveredTo that M-Pesa no longer holds, so
	// that the next pull cannot read it; zero when there is none.
	Pending Span
	// Gaps are the stretches between the latest pulls that no pull read
	// (M-Pesa had let them go by then), newest first: M-Pesa's records of
	// them come only from a statement.
	Gaps []Span
	// Statements are the latest imported, newest first.
	Statements []StatementInfo
}

// GetPullState reads the pull's cursor, its latest n pulls and the latest
// n statements imported, as of now.
func GetPullState(ctx context.Context, q payment.Querier, now time.Time, n int) (PullState, error) {
	var out PullState
	var covered int64
	if err := q.QueryRowContext(ctx, `SELECT covered_to FROM recon_pull_cursor WHERE name = 'pull'`).Scan(&covered); err != nil {
		return out, fmt.Errorf("pull state: %w", err)
	}
	out.CoveredTo = store.Time(covered)
	if oldest := pullOldest(now); !out.CoveredTo.IsZero() && out.CoveredTo.Before(oldest) {
		out.Pending = Span{out.CoveredTo, oldest}
	}
	// One pull more than shown, to tell whether the oldest shown followed
	// a gap.
	rows, err := q.QueryContext(ctx, `SELECT window_from, window_to, row_count, new_count, finished_at FROM recon_pulls ORDER BY finished_at DESC, id DESC LIMIT $1`, n+1)
	if err != nil {
		return out, fmt.Errorf("pull state: %w", err)
	}
	var pulls []PullRun
	for rows.Next() {
		var from, to, done int64
		var p PullRun
		if err := rows.Scan(&from, &to, &p.Rows, &p.New, &done); err != nil {
			rows.Close()
			return out, fmt.Errorf("pull state: %w", err)
		}
		p.From, p.To, p.FinishedAt = store.Time(from), store.Time(to), store.Time(done)
		pulls = append(pulls, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("pull state: %w", err)
	}
	// A pull reads on from where the one before ended, less an overlap;
	// one that starts after it ended found part of the time gone.
	for i := 0; i+1 < len(pulls); i++ {
		if before := pulls[i+1]; pulls[i].From.After(before.To) {
			out.Gaps = append(out.Gaps, Span{before.To, pulls[i].From})
		}
	}
	out.Pulls = pulls[:min(n, len(pulls))]
	out.Statements, err = statements(ctx, q, n)
	return out, err
}

// statements lists the latest n statements imported, newest first.
func statements(ctx context.Context, q payment.Querier, n int) ([]StatementInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, row_count, covers_from, covers_to, imported_at, imported_by FROM recon_statements
		ORDER BY imported_at DESC, id DESC LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	defer rows.Close()
	var out []StatementInfo
	for rows.Next() {
		var s StatementInfo
		var from, to, at int64
		if err := rows.Scan(&s.ID, &s.Name, &s.Rows, &from, &to, &at, &s.ImportedBy); err != nil {
			return nil, fmt.Errorf("statements: %w", err)
		}
		s.Span, s.ImportedAt = Span{store.Time(from), store.Time(to)}, store.Time(at)
		out = append(out, s)
	}
	return out, rows.Err()
}
