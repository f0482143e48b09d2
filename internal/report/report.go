// Package report makes the management reports: revenue and collections,
// vend and SMS latency, messages, suspense ageing, faults and self-service
// use. Each report is a function of a period that returns a Table: rows a
// person can read, with labels in English and Swahili, and the plots that
// show them where a person would rather look than read. WriteSVG draws a
// plot as a small, self-contained SVG chart (no script, no fonts, no
// stylesheet) and WriteCSV writes a table for a spreadsheet, so that a
// console page shows each report as a chart, a table and a download.
//
// The reports only read. They run plain SQL over the domains' tables, on
// the read pool, and the same text serves both engines. Days are reckoned
// in East Africa Time (tariff.Zone). Money stays in integer minor units up
// to the page; only the coordinates of a chart are floats.
package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/tariff"
)

// Lang is the language of labels: EN or SW.
type Lang string

const (
	EN Lang = "en"
	SW Lang = "sw"
)

// Label is a text in English and Swahili.
type Label struct{ EN, SW string }

// In returns the text in lang; English where the Swahili is missing.
func (l Label) In(lang Lang) string {
	if lang == SW && l.SW != "" {
		return l.SW
	}
	return l.EN
}

// same is a label that reads the same in both languages (a name, a code).
func same(s string) Label { return Label{s, s} }

// Querier reads: the read pool (db.Read()) or a transaction.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Range is a period [From, To): usually whole days in East Africa Time
// (Days). Reports that describe a moment rather than a period (suspense
// ageing) take To as that moment.
type Range struct {
	From, To time.Time
}

// MaxDays bounds a report's period: a year by day is the longest a chart
// still shows and the work a page may ask of the database.
const MaxDays = 366

// ErrRange is wrapped by the errors for a period no report takes.
var ErrRange = errors.New("report period")

// Days returns the whole days from first to last, both included, as dated
// in East Africa Time (the times' own zones are ignored: only their dates
// there count).
func Days(first, last time.Time) Range {
	f, l := first.In(tariff.Zone), last.In(tariff.Zone)
	return Range{
		From: time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, tariff.Zone),
		To:   time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, tariff.Zone),
	}
}

// check refuses an empty, reversed or too long period.
func (r Range) check() error {
	switch {
	case !r.To.After(r.From):
		return fmt.Errorf("%w: %s is not after %s", ErrRange, r.To.Format(time.RFC3339), r.From.Format(time.RFC3339))
	case r.To.Sub(r.From) > MaxDays*24*time.Hour:
		return fmt.Errorf("%w: longer than %d days", ErrRange, MaxDays)
	}
	return nil
}

// micros are the period's bounds as stored.
func (r Range) micros() (int64, int64) { return r.From.UnixMicro(), r.To.UnixMicro() }

// Report is one report: its name, title and the function that makes it.
type Report struct {
	ID    string // for URLs and file names
	Title Label
	Run   func(ctx context.Context, q Querier, r Range) (Table, error)
}

// All lists the reports in the order a console shows them.
var All = []Report{
	{"revenue", titleRevenue, Revenue},
	{"latency", titleLatency, Latency},
	{"messages", titleMessages, Messages},
	{"suspense", titleSuspense, Suspense},
	{"faults", titleFaults, Faults},
	{"usage", titleUsage, Usage},
	{ISPPlansID, titleISPPlans, ISPPlans},
	{ISPMonthsID, titleISPMonths, ISPMonths},
}

// scanRows runs a query and hands each row's Scan to fn.
func scanRows(ctx context.Context, q Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
