package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/mteja/mteja/internal/store"
)

// The raw ceiling is what the engine can write, with none of the vend
// path's work: vend-shaped writes of ceilingRows rows each (a payment, a
// vend, a token, a meter update, three postings and a message), grouped
// ceilingGroup to a commit, as the vend worker groups its batches. A run's
// vends per second read beside it tell how much of the engine the vend
// path leaves on the table.
const (
	ceilingRows  = 8
	ceilingGroup = 100
	// ceilingConns and ceilingDepth: on PostgreSQL, that many connections
	// each keep that many group commits in one pipeline (a pgx batch: the
	// statements of several transactions sent without waiting for each
	// answer).
	ceilingConns = 4
	ceilingDepth = 4
)

// CeilingResult is the raw write ceiling measured on one engine.
type CeilingResult struct {
	DB             string  `json:"db"`
	Vends          int     `json:"vends"`
	Rows           int     `json:"rows"`
	Commits        int     `json:"commits"`
	Seconds        float64 `json:"seconds"`
	VendsPerSecond float64 `json:"vends_per_second"`
	RowsPerSecond  float64 `json:"rows_per_second"`
}

const ceilingTable = `CREATE TABLE %s (
	id      TEXT PRIMARY KEY,
	vend    TEXT NOT NULL,
	kind    TEXT NOT NULL,
	amount  BIGINT NOT NULL,
	body    TEXT NOT NULL,
	at      BIGINT NOT NULL
)`

// Ceiling measures the raw write ceiling of dsn's engine for d. On SQLite
// it writes a scratch file beside dsn's (same disk, same pragmas:
// synchronous=FULL in WAL), one group commit after another through the
// single writer, and removes it after. On PostgreSQL it writes a scratch
// schema, dropped after, through pipelined group commits.
func Ceiling(ctx context.Context, dsn string, d time.Duration) (CeilingResult, error) {
	if d <= 0 {
		return CeilingResult{}, errors.New("ceiling: the duration must be positive")
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "bench_ceiling_" + hex.EncodeToString(suffix)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return ceilingPostgres(ctx, dsn, name, d)
	}
	path := filepath.Join(filepath.Dir(strings.TrimPrefix(dsn, "sqlite:")), name+".db")
	return ceilingSQLite(ctx, path, d)
}

// ceilingRowsOf stages one group commit's rows: group vends of
// ceilingRows rows, 6 values a row.
func ceilingRowsOf(now int64) []any {
	const body = "vend-shaped row: a receipt, a meter number, an amount and a token's twenty digits 1234-5678-9012-3456-7890"
	args := make([]any, 0, ceilingGroup*ceilingRows*6)
	for range ceilingGroup {
		v := uuid.Must(uuid.NewV7()).String()
		for k := range ceilingRows {
			args = append(args, uuid.Must(uuid.NewV7()).String(), v, "row"+string(rune('0'+k)), int64(100_00+k), body, now)
		}
	}
	return args
}

// ceilingInsert is the group commit's one multi-row INSERT into table.
func ceilingInsert(table string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (id, vend, kind, amount, body, at) VALUES ", table)
	for r := range ceilingGroup * ceilingRows {
		if r > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%s)", store.Placeholders(r*6+1, 6))
	}
	return b.String()
}

func ceilingSQLite(ctx context.Context, path string, d time.Duration) (CeilingResult, error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: %w", err)
	}
	defer func() {
		db.Close()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
	}()
	if _, err := db.Write().ExecContext(ctx, fmt.Sprintf(ceilingTable, "ceiling")); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: create table: %w", err)
	}
	if _, err := db.Write().ExecContext(ctx, `CREATE INDEX ceiling_vend ON ceiling (vend)`); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: create index: %w", err)
	}
	insert := ceilingInsert("ceiling")
	res := CeilingResult{DB: string(store.SQLite)}
	start := time.Now()
	for time.Since(start) < d {
		args := ceilingRowsOf(store.Micros(time.Now()))
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(insert, args...)
			return err
		})
		if err != nil {
			return CeilingResult{}, fmt.Errorf("ceiling: group commit: %w", err)
		}
		res.Commits++
	}
	res = res.done(time.Since(start))
	var stored int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM ceiling`).Scan(&stored); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: count rows: %w", err)
	}
	return res, res.check(stored)
}

func ceilingPostgres(ctx context.Context, dsn, schema string, d time.Duration) (CeilingResult, error) {
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: %w", err)
	}
	defer admin.Close(context.Background())
	table := schema + ".ceiling"
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: create schema: %w", err)
	}
	defer admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	if _, err := admin.Exec(ctx, fmt.Sprintf(ceilingTable, table)); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: create table: %w", err)
	}
	if _, err := admin.Exec(ctx, `CREATE INDEX ON `+table+` (vend)`); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: create index: %w", err)
	}
	insert := ceilingInsert(table)
	var commits atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, ceilingConns)
	start := time.Now()
	for range ceilingConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(context.Background())
			for time.Since(start) < d {
				b := &pgx.Batch{}
				for range ceilingDepth {
					b.Queue(`BEGIN`)
					b.Queue(insert, ceilingRowsOf(store.Micros(time.Now()))...)
					b.Queue(`COMMIT`)
				}
				if err := conn.SendBatch(ctx, b).Close(); err != nil {
					errs <- fmt.Errorf("pipelined group commits: %w", err)
					return
				}
				commits.Add(ceilingDepth)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: %w", err)
	}
	res := CeilingResult{DB: string(store.Postgres), Commits: int(commits.Load())}.done(el)
	var stored int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&stored); err != nil {
		return CeilingResult{}, fmt.Errorf("ceiling: count rows: %w", err)
	}
	return res, res.check(stored)
}

// check makes sure every row counted was stored: a figure for writes that
// did not land would be no ceiling.
func (r CeilingResult) check(stored int) error {
	if stored != r.Rows {
		return fmt.Errorf("ceiling: %d rows stored, %d counted", stored, r.Rows)
	}
	return nil
}

// done fills the counts and rates from the commits made in el.
func (r CeilingResult) done(el time.Duration) CeilingResult {
	r.Vends = r.Commits * ceilingGroup
	r.Rows = r.Vends * ceilingRows
	r.Seconds = el.Seconds()
	r.VendsPerSecond = float64(r.Vends) / r.Seconds
	r.RowsPerSecond = float64(r.Rows) / r.Seconds
	return r
}
