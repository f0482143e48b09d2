package smpp

import "sync/atomic"

// Stats is a snapshot of a Client's counters, for metrics: the caller
// exports them (a prometheus CounterFunc per field, say) under the route's
// name.
type Stats struct {
	Bound        bool
	Binds        int64 // successful binds
	BindFailures int64
	Reconnects   int64 // binds lost after they were up
	Parts        int64 // submit_sm accepted
	Throttled    int64 // ESME_RTHROTTLED answers
	Refused      int64 // other non-zero command_status answers
	Unknown      int64 // submits left without an answer
	Receipts     int64
	Inbound      int64
	BadPDUs      int64 // deliver_sm that could not be understood
	InFlight     int64 // submits awaiting their response now
	TPS          float64
}

type counters struct {
	binds, bindFailures, reconnects    atomic.Int64
	parts, throttled, refused, unknown atomic.Int64
	receipts, inbound, badPDUs         atomic.Int64
}

// Stats returns the Client's counters now.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	bound := c.cur != nil
	c.mu.Unlock()
	return Stats{
		Bound:        bound,
		Binds:        c.stats.binds.Load(),
		BindFailures: c.stats.bindFailures.Load(),
		Reconnects:   c.stats.reconnects.Load(),
		Parts:        c.stats.parts.Load(),
		Throttled:    c.stats.throttled.Load(),
		Refused:      c.stats.refused.Load(),
		Unknown:      c.stats.unknown.Load(),
		Receipts:     c.stats.receipts.Load(),
		Inbound:      c.stats.inbound.Load(),
		BadPDUs:      c.stats.badPDUs.Load(),
		InFlight:     c.inflight.Load(),
		TPS:          c.limiter.current(),
	}
}
