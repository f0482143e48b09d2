package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"
)

// Truncate cuts s to at most n bytes for a text column, on a character
// boundary: PostgreSQL refuses a string cut in the middle of a UTF-8
// character, and with it the whole row. Invalid bytes already in s become
// "?" for the same reason.
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// querier runs a query through the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Strings runs a query of one text column (ids, phone numbers) and returns
// its values in order.
func Strings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// In appends vals to args and returns the placeholders of an IN list for
// them: "$3, $4". An empty list gives "NULL", which matches nothing.
func In(args *[]any, vals []string) string {
	if len(vals) == 0 {
		return "NULL"
	}
	for _, v := range vals {
		*args = append(*args, v)
	}
	return Placeholders(len(*args)-len(vals)+1, len(vals))
}
