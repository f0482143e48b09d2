package payment

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Spool is an append-only file of confirmed payments that could not be
// stored because the database was unreachable for longer than intake waits.
//
// Why a local file is safe here: M-Pesa sends a C2B confirmation once and
// does not resend it, whatever we answer, and its 200 means only "we have
// it". An answer of 500 leaves a customer who paid with nothing until staff
// reconcile. A record fsync'd to this node's disk before the 200 is as
// durable as a committed row for that promise; the replayer moves it into
// the database through the same intake (unique on the receipt), so a
// record replayed twice, or a payment that also reached the database by
// another road (an STK callback, a status query, another node), is stored
// once. Each node has its own spool in its own data directory.
//
// Each record is one line: the CRC-32C of the JSON, a space, the JSON. A
// record is acknowledged only after its line is on disk, so a torn last
// line (a crash mid-write) was never acknowledged and is skipped.
type Spool struct {
	dir string
	mu  sync.Mutex
	f   *os.File // the live file, opened on first append
}

// Spooled is one record: a payment as intake would have stored it, and when
// it arrived.
type Spooled struct {
	Arrived time.Time `json:"arrived"`
	Payment Payment   `json:"payment"`
}

const (
	spoolLive      = "intake.spool"
	spoolReplaying = "intake.spool.replaying"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenSpool returns the spool kept in dir (created if missing).
func OpenSpool(dir string) (*Spool, error) {
	if dir == "" {
		return nil, errors.New("open spool: no directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	return &Spool{dir: dir}, nil
}

// Append writes p and syncs it to disk; only then may the caller answer.
func (s *Spool) Append(p Payment, arrived time.Time) error {
	js, err := json.Marshal(Spooled{Arrived: arrived.UTC(), Payment: p})
	if err != nil {
		return fmt.Errorf("spool payment %s: %w", p.Receipt, err)
	}
	line := make([]byte, 0, len(js)+10)
	line = hex.AppendEncode(line, binary.BigEndian.AppendUint32(nil, crc32.Checksum(js, castagnoli)))
	line = append(line, ' ')
	line = append(line, js...)
	line = append(line, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		f, err := os.OpenFile(filepath.Join(s.dir, spoolLive), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("spool payment %s: %w", p.Receipt, err)
		}
		if err := endTornLine(f); err != nil {
			f.Close()
			return fmt.Errorf("spool payment %s: %w", p.Receipt, err)
		}
		s.f = f
	}
	if _, err := s.f.Write(line); err != nil {
		return fmt.Errorf("spool payment %s: %w", p.Receipt, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("spool payment %s: sync: %w", p.Receipt, err)
	}
	return nil
}

// Path is the live spool file.
func (s *Spool) Path() string { return filepath.Join(s.dir, spoolLive) }

// Pending reports whether any spooled records wait for the database.
func (s *Spool) Pending() bool {
	for _, name := range []string{spoolReplaying, spoolLive} {
		if fi, err := os.Stat(filepath.Join(s.dir, name)); err == nil && fi.Size() > 0 {
			return true
		}
	}
	return false
}

// Replay stores every spooled payment with store, which must be idempotent
// on the receipt, and removes the records only after store has committed
// them. The live file is first renamed aside, so callbacks spooled while a
// replay runs go to a new file and wait for the next one. It returns how
// many records were stored and how many torn lines were skipped.
func (s *Spool) Replay(ctx context.Context, store func(ctx context.Context, batch []Spooled) error) (replayed, torn int, err error) {
	aside := filepath.Join(s.dir, spoolReplaying)
	if _, err := os.Stat(aside); errors.Is(err, os.ErrNotExist) {
		s.mu.Lock()
		if s.f != nil {
			s.f.Close()
			s.f = nil
		}
		err = os.Rename(filepath.Join(s.dir, spoolLive), aside)
		s.mu.Unlock()
		if errors.Is(err, os.ErrNotExist) {
			return 0, 0, nil
		}
		if err != nil {
			return 0, 0, fmt.Errorf("replay spool: %w", err)
		}
	}
	f, err := os.Open(aside)
	if err != nil {
		return 0, 0, fmt.Errorf("replay spool: %w", err)
	}
	defer f.Close()
	// The whole file is stored before it is removed: a failure part-way
	// leaves it to be replayed again, which the receipt makes harmless.
	var batch []Spooled
	br := bufio.NewReader(f)
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			rec, ok := parseSpoolLine(line)
			if !ok {
				torn++
			} else {
				batch = append(batch, rec)
			}
		}
		if len(batch) == 200 || (rerr != nil && len(batch) > 0) {
			if err := store(ctx, batch); err != nil {
				return replayed, torn, fmt.Errorf("replay spool: %w", err)
			}
			replayed += len(batch)
			batch = batch[:0]
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return replayed, torn, fmt.Errorf("replay spool: %w", rerr)
		}
	}
	if err := os.Remove(aside); err != nil {
		return replayed, torn, fmt.Errorf("replay spool: %w", err)
	}
	return replayed, torn, syncDir(s.dir)
}

// parseSpoolLine checks a record's checksum; a line without its newline or
// whose checksum fails is torn.
func parseSpoolLine(line []byte) (Spooled, bool) {
	var rec Spooled
	if !bytes.HasSuffix(line, []byte("\n")) || len(line) < 10 || line[8] != ' ' {
		return rec, false
	}
	sum, err := hex.DecodeString(string(line[:8]))
	if err != nil {
		return rec, false
	}
	js := line[9 : len(line)-1]
	if !bytes.Equal(sum, binary.BigEndian.AppendUint32(nil, crc32.Checksum(js, castagnoli))) {
		return rec, false
	}
	if err := json.Unmarshal(js, &rec); err != nil || rec.Payment.Receipt == "" {
		return rec, false
	}
	return rec, true
}

// endTornLine ends a torn last line left by a crash, so that it cannot run
// into the next record and spoil it too.
func endTornLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	r, err := os.Open(f.Name())
	if err != nil {
		return err
	}
	defer r.Close()
	if _, err := r.ReadAt(last, fi.Size()-1); err != nil {
		return err
	}
	if last[0] != '\n' {
		_, err = f.Write([]byte{'\n'})
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Close closes the live file.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
