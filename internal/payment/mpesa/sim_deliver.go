package mpesa

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Faults change how callbacks are delivered, to reproduce what Daraja does
// in the field. They apply to callbacks scheduled after SetFaults; the zero
// value delivers each callback once, at once.
type Faults struct {
	// Kinds limits the faults to these callbacks; empty means all. The
	// validation call is never faulted: it is a request M-Pesa waits on.
	Kinds []CallbackKind
	// Drop never sends the callback. The transaction still happens, so the
	// STK query and the transaction status query find it.
	Drop bool
	// Copies sends each callback this many times (0 and 1 mean once).
	Copies int
	// Concurrent sends the copies all at once instead of one after another.
	Concurrent bool
	// Delay waits before sending.
	Delay time.Duration
	// Reorder holds callbacks until this many are waiting, then sends them
	// newest first (ReleaseHeld sends a smaller batch). 0 and 1 mean off.
	Reorder int
	// QueueTimeout posts a queue-timeout notice to QueueTimeOutURL before
	// each status query or reversal result.
	QueueTimeout bool
}

// SetFaults replaces the delivery faults.
func (s *Simulator) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Simulator) faultsFor(kind CallbackKind) Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, kind) {
		return Faults{}
	}
	return f
}

// delivery is one callback to post, with the records of its copies.
type delivery struct {
	kind CallbackKind
	url  string
	body []byte
	ref  string
	recs []int // indexes into s.callbacks, one per copy
}

type heldDelivery struct {
	d delivery
	f Faults
}

// deliver posts a callback as the current faults say, in the background.
// The channel it returns closes once the callback has been sent (or
// dropped); it is nil when the callback is held for reordering, whose
// release nobody should wait for.
func (s *Simulator) deliver(kind CallbackKind, url string, body []byte, ref string) <-chan struct{} {
	f := s.faultsFor(kind)
	copies := max(f.Copies, 1)
	d := delivery{kind: kind, url: url, body: body, ref: ref}
	s.mu.Lock()
	for c := range copies {
		s.callbacks = append(s.callbacks, SimCallback{
			ID: len(s.callbacks) + 1, Kind: kind, URL: url, Body: body, Ref: ref, Copy: c + 1,
			Dropped: f.Drop, Held: !f.Drop && f.Reorder > 1,
		})
		d.recs = append(d.recs, len(s.callbacks)-1)
		if f.Drop {
			break // a dropped callback has no copies to speak of
		}
	}
	var batch []heldDelivery
	if !f.Drop && f.Reorder > 1 {
		s.held = append(s.held, heldDelivery{d, f})
		if len(s.held) >= f.Reorder {
			batch, s.held = s.held, nil
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	switch {
	case f.Drop:
		s.log.Info("daraja sim: callback dropped", "kind", kind, "ref", ref)
		close(done)
	case f.Reorder > 1:
		if batch != nil {
			s.sendBatch(batch)
		}
		return nil
	default:
		s.background(func() {
			defer close(done)
			if s.sleep(f.Delay) {
				s.sendCopies(d, f)
			}
		})
	}
	return done
}

// ReleaseHeld sends the callbacks held for reordering now, newest first.
func (s *Simulator) ReleaseHeld() {
	s.mu.Lock()
	batch := s.held
	s.held = nil
	s.mu.Unlock()
	s.sendBatch(batch)
}

// sendBatch sends held callbacks one after another, newest first, so the
// receiver sees them in exactly the reverse order.
func (s *Simulator) sendBatch(batch []heldDelivery) {
	if len(batch) == 0 {
		return
	}
	s.mu.Lock()
	for _, h := range batch {
		for _, i := range h.d.recs {
			s.callbacks[i].Held = false
		}
	}
	s.mu.Unlock()
	s.background(func() {
		for i := len(batch) - 1; i >= 0; i-- {
			h := batch[i]
			if !s.sleep(h.f.Delay) {
				return
			}
			s.sendCopies(h.d, h.f)
		}
	})
}

func (s *Simulator) sendCopies(d delivery, f Faults) {
	if !f.Concurrent || len(d.recs) == 1 {
		for _, i := range d.recs {
			s.post(d, i)
		}
		return
	}
	// Release all copies together so they really race at the receiver.
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, i := range d.recs {
		wg.Go(func() {
			<-start
			s.post(d, i)
		})
	}
	close(start)
	wg.Wait()
}

// post sends one copy and records the outcome. Daraja does not retry, so
// neither does the simulator.
func (s *Simulator) post(d delivery, rec int) {
	s.mu.Lock()
	s.sent++
	s.callbacks[rec].SentSeq = s.sent
	s.callbacks[rec].SentAt = s.now()
	s.mu.Unlock()
	status, reply, err := s.postJSON(s.ctx, d.url, d.body)
	s.mu.Lock()
	s.callbacks[rec].Status = status
	s.callbacks[rec].Reply = reply
	if err != nil {
		s.callbacks[rec].Err = err.Error()
	}
	s.mu.Unlock()
	if err != nil {
		s.log.Warn("daraja sim: callback failed", "kind", d.kind, "ref", d.ref, "err", err)
		return
	}
	s.log.Info("daraja sim: callback sent", "kind", d.kind, "ref", d.ref, "status", status)
}

// postJSON posts a body and returns the reply's status and start.
func (s *Simulator) postJSON(ctx context.Context, url string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, string(b), err
}
