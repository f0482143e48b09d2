package vend

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// TariffImport is what importing a tariff file did, or would do.
type TariffImport struct {
	ID     string
	Tariff tariff.Tariff // as the file defines it
	Change tariff.Change
	// Stored is true when the file was stored: not on a dry run, nor when
	// it changes nothing.
	Stored bool
	// Basis names the stored tariff the change was judged against (a hash
	// of its source; "" when there was none). A dry run's Basis, given to
	// ImportPreviewed, imports the file only onto that same stored tariff.
	Basis string
}

// ErrTariffChanged is returned by ImportPreviewed when the stored tariff is
// no longer the one the preview was judged against: another import came in
// between, and what the preview showed is not what this import would do.
var ErrTariffChanged = errors.New("the stored tariff changed since the preview")

// ImportTariff takes source as the definition of tariff id: a new tariff,
// or new dated versions of the stored one under the rules of
// tariff.Change. Unless dryRun, it stores the file with an audit event in
// one transaction; nothing is stored when anything is wrong. Every problem
// is returned at once, each at its line: the file's own (from tariff.Parse)
// or, when the file reads, those of the change (from tariff.Plan), as a
// wrapped *tariff.FileError.
func ImportTariff(ctx context.Context, db *store.DB, id string, source []byte, actor string, dryRun bool) (TariffImport, error) {
	return importTariff(ctx, db, id, source, actor, dryRun, nil)
}

// ImportPreviewed imports source as ImportTariff does, provided the stored
// tariff is still the one a dry run judged it against (its Basis), checked
// in the import's transaction; otherwise it returns ErrTariffChanged and
// stores nothing. It imports exactly what the dry run showed.
func ImportPreviewed(ctx context.Context, db *store.DB, id string, source []byte, actor, basis string) (TariffImport, error) {
	return importTariff(ctx, db, id, source, actor, false, &basis)
}

// SourceBasis is the Basis of a stored tariff's source.
func SourceBasis(source string) string {
	sum := sha256.Sum256([]byte(source))
	return hex.EncodeToString(sum[:])
}

func importTariff(ctx context.Context, db *store.DB, id string, source []byte, actor string, dryRun bool, basis *string) (TariffImport, error) {
	// The file first: its problems are what the operator must fix, and
	// an id taken from a file that does not read is no id at all.
	file, err := tariff.Parse(source)
	if err != nil {
		return TariffImport{}, err
	}
	if err := CheckTariffID(id); err != nil {
		return TariffImport{}, err
	}
	out := TariffImport{ID: id, Tariff: file}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		out.Stored, out.Basis = false, ""
		// Locked on PostgreSQL: two imports of one tariff are judged one
		// after the other, each against what the other stored.
		var src string
		var stored *tariff.Tariff
		err := tx.QueryRow(`SELECT source FROM tariffs WHERE id = $1 `+tx.ForUpdate(), id).Scan(&src)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("tariff %s: %w", id, err)
		default:
			t, err := tariff.Parse([]byte(src))
			if err != nil {
				return fmt.Errorf("stored tariff %s: %w", id, err)
			}
			stored, out.Basis = &t, SourceBasis(src)
		}
		if basis != nil && *basis != out.Basis {
			return fmt.Errorf("tariff %s: %w", id, ErrTariffChanged)
		}
		c, err := tariff.Plan(stored, file, tariff.VersionLines(source), tx.Now)
		if err != nil {
			return fmt.Errorf("tariff %s: %w", id, err)
		}
		out.Change = c
		if dryRun || c.Empty() {
			return nil
		}
		if _, err := SaveTariff(tx, id, source); err != nil {
			return err
		}
		out.Stored = true
		return payment.Audit(tx, actor, "tariff.import", id, ChangeSummary(c))
	})
	if err != nil {
		return TariffImport{}, err
	}
	return out, nil
}

// CheckTariffID accepts the ids meters name their tariff by: lower-case
// letters, digits, '-', '_' and '.', starting with a letter or digit, at
// most 64 characters. They appear in import files, URLs and reports.
func CheckTariffID(id string) error {
	ok := id != "" && len(id) <= 64
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '-' || c == '_' || c == '.')
	}
	if !ok {
		return fmt.Errorf("tariff id %q: use 1-64 lower-case letters, digits, '-', '_' or '.', starting with a letter or digit", id)
	}
	return nil
}

// ChangeSummary words a change in one line, for the audit log.
func ChangeSummary(c tariff.Change) string {
	dates := func(vs []tariff.Version) string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v.EffectiveFrom.Format("2006-01-02")
		}
		return strings.Join(out, ", ")
	}
	if c.New {
		return "new tariff, versions from " + dates(c.Added)
	}
	var parts []string
	if len(c.Added) > 0 {
		parts = append(parts, "added versions from "+dates(c.Added))
	}
	for _, r := range c.Replaced {
		parts = append(parts, fmt.Sprintf("changed the version from %s: %s", r.New.EffectiveFrom.Format("2006-01-02"), strings.Join(r.Diff, "; ")))
	}
	if len(c.Removed) > 0 {
		parts = append(parts, "removed versions from "+dates(c.Removed))
	}
	if c.Labels {
		parts = append(parts, "receipt wording changed")
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, "; ")
}
