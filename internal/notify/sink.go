package notify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Sink is an in-process SMS route for the demo and tests: it accepts every
// message, keeps the last ones for a page to show, and reports them
// delivered through OnReceipt, as an SMSC would.
type Sink struct {
	OnReceipt func(sms.Receipt)
	Keep      int // messages kept (default 200)
	// ReceiptAfter is how long after the submit the receipt comes; zero
	// sends it at once. A real one takes a few seconds (the handset's
	// answer), by when the submit is recorded.
	ReceiptAfter time.Duration

	mu     sync.Mutex
	prefix string
	seq    int
	msgs   []SinkMessage
	down   bool
	silent bool
}

// SinkMessage is one message the sink accepted.
type SinkMessage struct {
	ProviderID string
	To, Text   string
	At         time.Time
}

// Send accepts m.
func (s *Sink) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	s.mu.Lock()
	if s.down {
		s.mu.Unlock()
		return sms.SubmitResult{}, fmt.Errorf("sink: %w: route down", sms.ErrTemporary)
	}
	if s.prefix == "" {
		// Ids unique across sinks, as two SMSCs' ids need not be.
		s.prefix = fmt.Sprintf("%08x", rand.Uint32())
	}
	s.seq++
	id := fmt.Sprintf("sink-%s-%d", s.prefix, s.seq)
	s.msgs = append(s.msgs, SinkMessage{ProviderID: id, To: m.To, Text: m.Text, At: time.Now()})
	keep := s.Keep
	if keep == 0 {
		keep = 200
	}
	if len(s.msgs) > keep {
		s.msgs = s.msgs[len(s.msgs)-keep:]
	}
	cb := s.OnReceipt
	if s.silent {
		cb = nil
	}
	s.mu.Unlock()
	if cb != nil {
		r := sms.Receipt{ProviderID: id, State: sms.StateDelivered}
		if s.ReceiptAfter > 0 {
			time.AfterFunc(s.ReceiptAfter, func() { r.At = time.Now(); cb(r) })
		} else {
			r.At = time.Now()
			go cb(r)
		}
	}
	return sms.SubmitResult{ProviderIDs: []string{id}, Parts: 1}, nil
}

// SetDown makes the sink refuse messages, to show an outage.
func (s *Sink) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// SetSilent makes the sink accept messages but send no receipts, as an
// SMSC whose receipt path has stalled.
func (s *Sink) SetSilent(silent bool) {
	s.mu.Lock()
	s.silent = silent
	s.mu.Unlock()
}

// Messages returns the kept messages, newest first.
func (s *Sink) Messages() []SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SinkMessage, len(s.msgs))
	for i, m := range s.msgs {
		out[len(s.msgs)-1-i] = m
	}
	return out
}
