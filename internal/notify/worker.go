package notify

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// Worker sends queued messages. Token, OTP and transactional messages
// have a claim loop of their own, apart from bulk, and go first onto
// every route: bulk holds few of a route's sends (Route.BulkWindow) and
// keeps to an SMPP bind's rate, so a token queued behind a hundred
// thousand bulk messages goes out next, even while a bulk batch is being
// sent.
//
// Routes are tried in order; one that fails (FailThreshold) or whose
// receipts stop (ReceiptTimeout) hands its traffic to the next. A message
// is never sent twice on a route unless the first try provably failed:
// the route of a send is written down before it starts, and a send whose
// outcome is unknown is recorded as submitted, not retried. (For a token
// message, the Watchdog then sends a delay notice by another route.) The
// statement that records a login code's message as submitted, failed or
// expired also withholds its body (WithheldBody).
//
// Zero fields take the defaults documented on each. Set the fields before
// the first call; the Worker is then safe for concurrent use.
type Worker struct {
	DB     *store.DB
	Routes []Route // in order of preference
	From   string  // sender ID
	Log    *slog.Logger
	// Metrics, if set, counts sends, failures and receipt latencies.
	Metrics *Metrics

	// Batch is how many token, OTP and transactional messages one claim
	// takes. Default 50.
	Batch int
	// MaxBatch is how far such a claim grows while the queue keeps it
	// full and every message of the last one went out: doubling each
	// time, so that one turn at the writer carries more than a vend
	// batch's token messages and a backlog drains (see the overload policy
	// in turn.go). Default 20 × Batch.
	MaxBatch int
	// BulkBatch is how many bulk messages one claim takes. Default 64.
	BulkBatch int
	// BulkLoops is how many bulk claim loops run, so one batch is sent
	// while another is claimed or recorded. Default 2.
	BulkLoops int
	// Claim is how long claimed messages are reserved for this node
	// (default 30 s). No send starts in the last third of it; unsent
	// messages go back to the queue. When a node stops without recording
	// its batch, the next claim after this time records the batch as
	// submitted with its outcome unknown, since any of it may have gone
	// out.
	Claim time.Duration
	// MaxAttempts, if positive, fails a message after that many failed
	// tries. Default 0: a message is retried until its lane's TTL.
	MaxAttempts int
	// Concurrency is how many sends of one batch run at once. Default:
	// the whole batch (each route's window limits what goes on the wire).
	Concurrency int
	// RetryMin and RetryMax bound the backoff after a failed try.
	// Defaults 1 s and 60 s.
	RetryMin, RetryMax time.Duration
	// TTL is how long a message may wait in the queue, per lane, before
	// it is marked expired. Defaults: token 72 h, OTP 10 min,
	// transactional 24 h, bulk 48 h.
	TTL map[string]time.Duration
	// HandsetLimit is how many messages of a lane one handset may be sent
	// per HandsetWindow (every lane's messages count); over it, messages
	// wait (never dropped). 0 means no limit. Defaults: bulk 5, OTP 10,
	// transactional 20, token none.
	HandsetLimit map[string]int
	// HandsetWindow is the window of HandsetLimit. Default 1 min.
	HandsetWindow time.Duration
	// ReceiptTimeout: a route whose messages have had no receipt for this
	// long, with no receipt at all since, is silent; other routes take the
	// traffic first until a receipt comes. Default 5 min.
	ReceiptTimeout time.Duration
	// CheckEvery is how often Run checks routes for silence. Default 15 s.
	CheckEvery time.Duration
	// FailThreshold consecutive failed sends open a route's circuit: it
	// is skipped for OpenMin, doubling per failed probe up to OpenMax.
	// Defaults 3, 5 s and 2 min.
	FailThreshold    int
	OpenMin, OpenMax time.Duration
	// Poll is how often an idle loop looks for work written by other
	// nodes. Default 250 ms.
	Poll time.Duration

	once      sync.Once
	routes    []*route
	wakeHigh  chan struct{}
	wakeBulk  chan struct{}
	ronce     sync.Once // the receipt queue: usable before Routes are set
	rmu       sync.RWMutex
	receiving bool
	receipts  chan receiptItem
	lastPark  atomic.Int64 // when this node last parked a receipt (Unix ns)
	lastSweep atomic.Int64 // when it last swept parked receipts
	checkMu   sync.Mutex
	turn      writerTurn
	fronts    sync.Map // lane → *store.Front: where its claims begin on PostgreSQL
}

// front returns the front of a lane's claims (see store.Front).
func (w *Worker) front(lane string) *store.Front {
	if f, ok := w.fronts.Load(lane); ok {
		return f.(*store.Front)
	}
	f, _ := w.fronts.LoadOrStore(lane, new(store.Front))
	return f.(*store.Front)
}

// Lanes each claim loop serves.
var (
	priorityLanes = []string{LaneToken, LaneOTP, LaneTransactional}
	bulkLanes     = []string{LaneBulk}
)

func (w *Worker) init() {
	w.once.Do(func() {
		w.wakeHigh = make(chan struct{}, 1)
		w.wakeBulk = make(chan struct{}, 1)
		if w.Batch <= 0 {
			w.Batch = 50
		}
		if w.MaxBatch < w.Batch {
			w.MaxBatch = 20 * w.Batch
		}
		if w.BulkBatch <= 0 {
			w.BulkBatch = 64
		}
		if w.BulkLoops <= 0 {
			w.BulkLoops = 2
		}
		if w.Claim <= 0 {
			w.Claim = 30 * time.Second
		}
		if w.RetryMin <= 0 {
			w.RetryMin = time.Second
		}
		if w.RetryMax < w.RetryMin {
			w.RetryMax = max(60*time.Second, w.RetryMin)
		}
		ttl := map[string]time.Duration{LaneToken: 72 * time.Hour, LaneOTP: 10 * time.Minute, LaneTransactional: 24 * time.Hour, LaneBulk: 48 * time.Hour}
		maps.Copy(ttl, w.TTL)
		w.TTL = ttl
		limit := map[string]int{LaneBulk: 5, LaneOTP: 10, LaneTransactional: 20}
		maps.Copy(limit, w.HandsetLimit)
		w.HandsetLimit = limit
		if w.HandsetWindow <= 0 {
			w.HandsetWindow = time.Minute
		}
		if w.ReceiptTimeout <= 0 {
			w.ReceiptTimeout = 5 * time.Minute
		}
		if w.CheckEvery <= 0 {
			w.CheckEvery = 15 * time.Second
		}
		if w.FailThreshold <= 0 {
			w.FailThreshold = 3
		}
		if w.OpenMin <= 0 {
			w.OpenMin = 5 * time.Second
		}
		if w.OpenMax < w.OpenMin {
			w.OpenMax = max(2*time.Minute, w.OpenMin)
		}
		if w.Poll <= 0 {
			w.Poll = 250 * time.Millisecond
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
		for _, r := range w.Routes {
			if r.Window <= 0 {
				r.Window = 32
			}
			if r.BulkWindow <= 0 {
				r.BulkWindow = 8
			}
			w.routes = append(w.routes, &route{Route: r, gate: newGate(r.Window, r.BulkWindow), pace: newPacer(r.Sender), binds: bindCounter(r.Sender)})
		}
	})
}

func (w *Worker) initReceipts() {
	w.ronce.Do(func() { w.receipts = make(chan receiptItem, 8192) })
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

func (w *Worker) circuit() circuit {
	return circuit{threshold: w.FailThreshold, min: w.OpenMin, max: w.OpenMax}
}

// now is the database clock, which tests set.
func (w *Worker) now() time.Time { return w.DB.Now() }

// Wake tells the worker new messages are queued.
func (w *Worker) Wake() {
	w.init()
	for _, ch := range []chan struct{}{w.wakeHigh, w.wakeBulk} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run sends until ctx ends: a claim loop for token, OTP and
// transactional messages, one for bulk, the receipt batcher and the
// route check. Sends under way when ctx ends are given up as the route
// allows (see sms.ErrUnknownOutcome); unsent claimed messages return to
// the queue.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	w.initReceipts()
	var wg sync.WaitGroup
	loops := []func(context.Context){
		w.receiptLoop,
		w.checkLoop,
		func(ctx context.Context) {
			w.priorityLoop(true)
			defer w.priorityLoop(false)
			w.laneLoop(ctx, priorityLanes, w.Batch, w.MaxBatch, w.wakeHigh)
		},
	}
	for range w.BulkLoops {
		loops = append(loops, func(ctx context.Context) { w.laneLoop(ctx, bulkLanes, w.BulkBatch, w.BulkBatch, w.wakeBulk) })
	}
	for _, fn := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx)
		}()
	}
	wg.Wait()
}

// laneLoop claims and sends batches of the lanes: batch messages a claim,
// doubling up to most while claims come back full and go out whole, and
// halving back towards batch otherwise; the token lane's claim takes at
// least the messages owed since TokensQueued (see turn.go).
func (w *Worker) laneLoop(ctx context.Context, lanes []string, batch, most int, wake chan struct{}) {
	size := batch
	for {
		if slices.Contains(lanes, LaneToken) {
			size = min(max(size, w.owedClaim()), most)
		}
		n, whole, retryAt, err := w.runBatch(ctx, lanes, size)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("delivery", "lanes", strings.Join(lanes, ","), "err", err)
		}
		if whole && n >= size {
			size = min(2*size, most)
		} else {
			size = max(size/2, batch)
		}
		if n > 0 && err == nil {
			continue
		}
		wait := w.Poll
		if !retryAt.IsZero() {
			wait = min(wait, max(time.Until(retryAt), time.Millisecond))
		}
		if err != nil {
			wait = time.Second // the database is struggling: do not spin
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (w *Worker) checkLoop(ctx context.Context) {
	t := time.NewTicker(w.CheckEvery)
	defer t.Stop()
	for {
		if err := w.CheckRoutes(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("check SMS routes", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims and sends one batch of Batch messages across all lanes,
// highest lane first, and returns how many it handled. Run does the same
// with a loop per lane group; RunOnce suits tests and one-off drains.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.init()
	n, _, _, err := w.runBatch(ctx, Lanes, w.Batch)
	return n, err
}

// runBatch claims up to n messages of the lanes, sends them and records
// the outcomes. whole reports that every claimed message was sent (none
// skipped for want of a route or of time). retryAt is when a route that
// is now open may be tried again, if none is usable. A claim or record of
// the token lane holds its turn at the writer (see turn.go).
func (w *Worker) runBatch(ctx context.Context, lanes []string, n int) (handled int, whole bool, retryAt time.Time, err error) {
	w.sweepIfParked(ctx)
	prio := slices.Contains(lanes, LaneToken)
	lanes, retryAt = w.routable(lanes)
	if len(lanes) == 0 {
		if prio {
			w.claimLooked(0, 0, 0) // nothing can be claimed: the vend worker need not wait
		}
		return 0, false, retryAt, nil
	}
	var done func()
	var seen uint64
	if prio {
		seen = w.claimStarts()
		done = w.priorityWrite()
	}
	c, err := w.claim(ctx, lanes, n)
	if prio {
		if err != nil {
			w.claimLooked(0, 0, 0) // the error is logged; the vend worker goes on
		} else {
			w.claimLooked(n, len(c.msgs)+c.handled, seen)
		}
		done()
	}
	if err != nil || len(c.msgs) == 0 {
		return c.handled, false, retryAt, err
	}
	results := w.sendAll(ctx, c)
	if prio {
		done = w.priorityWrite()
	}
	err = w.record(c, results)
	if prio {
		done()
	}
	if err != nil {
		return c.handled, false, retryAt, err
	}
	whole = true
	for _, o := range results {
		whole = whole && !o.skipped
	}
	return c.handled + len(c.msgs), whole, retryAt, nil
}

// routable keeps the lanes some route can take now; for the others it
// says when the first open route may be probed.
func (w *Worker) routable(lanes []string) ([]string, time.Time) {
	now := w.now()
	var out []string
	var next time.Time
	for _, lane := range lanes {
		ok := false
		for _, r := range w.routes {
			if !r.carries(lane) {
				continue
			}
			if r.available(now) {
				ok = true
				break
			}
			if t := r.reopensAt(); next.IsZero() || t.Before(next) {
				next = t
			}
		}
		if ok {
			out = append(out, lane)
		}
	}
	return out, next
}

// Routes reports each route's health on this node.
func (w *Worker) RouteStatus() []RouteStatus {
	w.init()
	out := make([]RouteStatus, len(w.routes))
	for i, r := range w.routes {
		out[i] = r.status()
	}
	return out
}

func (w *Worker) backoff(attempts int) time.Duration {
	d := w.RetryMin << min(attempts, 16)
	if d <= 0 || d > w.RetryMax {
		d = w.RetryMax
	}
	return d
}

// truncate keeps an error for the database: at most 500 bytes, cut
// between characters.
func truncate(s string) string { return store.Truncate(s, 500) }
