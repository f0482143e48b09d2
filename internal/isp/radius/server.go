package radius

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"layeh.com/radius"
)

// Server answers Access-Requests and Accounting-Requests from the NAS that
// the Decider knows, and sends them CoA and Disconnect requests.
type Server struct {
	cfg     Config
	d       Decider
	nas     *nasCache
	cache   *replyCache
	log     *logLimiter
	metrics Metrics

	ctx    context.Context // cancelled by Close: Decider calls and sends stop
	cancel context.CancelFunc

	mu        sync.Mutex
	listeners []*listener
	wg        sync.WaitGroup // readers, workers and sends in flight
	sends     chan struct{}  // bounds the CoA/Disconnect sends in flight

	pingMu sync.Mutex // the Decider's last Ping (see ready)
	pingAt time.Time
	pingOK bool
}

// listener is one UDP socket and its workers.
type listener struct {
	kind Kind
	conn *net.UDPConn
	in   chan packet
}

// packet is a datagram as received.
type packet struct {
	b   []byte
	buf *[]byte // b's pooled buffer
	src netip.AddrPort
	at  time.Time
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, radius.MaxPacketLength); return &b }}

// New makes a server deciding with d. It opens nothing until Start.
func New(cfg Config, d Decider) (*Server, error) {
	if d == nil {
		return nil, errors.New("radius: nil Decider")
	}
	cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg:     cfg,
		d:       d,
		nas:     newNASCache(d, cfg.NASCacheTTL),
		cache:   newReplyCache(cfg.ReplyCacheTTL, cfg.ReplyCacheSize),
		log:     newLogLimiter(cfg.Log, time.Minute),
		metrics: cfg.Metrics,
		ctx:     ctx,
		cancel:  cancel,
		sends:   make(chan struct{}, cfg.CoA.Workers),
	}, nil
}

// Start opens the configured listeners and serves them until Close. It
// returns ErrNoListener when neither address is set, and the first
// listen error otherwise (having closed what it opened).
func (s *Server) Start() error {
	if !s.cfg.Enabled() {
		return ErrNoListener
	}
	for _, l := range []struct {
		kind Kind
		addr string
	}{{KindAuth, s.cfg.AuthAddr}, {KindAcct, s.cfg.AcctAddr}} {
		if l.addr == "" {
			continue
		}
		if err := s.listen(l.kind, l.addr); err != nil {
			s.Close()
			return err
		}
	}
	return nil
}

func (s *Server) listen(kind Kind, addr string) error {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return fmt.Errorf("radius %s: %w", kind, err)
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return fmt.Errorf("radius %s: %w", kind, err)
	}
	// Bursts (every router reconnecting its users after an outage) wait
	// in the kernel rather than being lost there; the kernel may grant
	// less than asked.
	conn.SetReadBuffer(4 << 20)
	l := &listener{kind: kind, conn: conn, in: make(chan packet, s.cfg.Backlog)}
	s.mu.Lock()
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	s.wg.Add(1 + s.cfg.Workers)
	go s.read(l)
	for range s.cfg.Workers {
		go s.work(l)
	}
	s.cfg.Log.Info("radius listening", "kind", string(kind), "addr", conn.LocalAddr().String())
	return nil
}

// AuthAddr is where the server takes Access-Requests; nil when off.
func (s *Server) AuthAddr() *net.UDPAddr { return s.addr(KindAuth) }

// AcctAddr is where the server takes Accounting-Requests; nil when off.
func (s *Server) AcctAddr() *net.UDPAddr { return s.addr(KindAcct) }

func (s *Server) addr(k Kind) *net.UDPAddr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		if l.kind == k {
			return l.conn.LocalAddr().(*net.UDPAddr)
		}
	}
	return nil
}

// Close stops listening, abandons the requests and sends in flight, and
// waits for the workers to finish.
func (s *Server) Close() error {
	s.cancel()
	s.mu.Lock()
	for _, l := range s.listeners {
		l.conn.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// read takes datagrams off the socket and queues them for the workers;
// when the queue is full the datagram is dropped, counted, at once.
func (s *Server) read(l *listener) {
	defer s.wg.Done()
	defer close(l.in)
	for {
		buf := bufPool.Get().(*[]byte)
		n, src, err := l.conn.ReadFromUDPAddrPort(*buf)
		if err != nil {
			bufPool.Put(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.cfg.Log.Warn("radius read", "kind", string(l.kind), "err", err)
			continue
		}
		s.metrics.Received(l.kind)
		select {
		case l.in <- packet{b: (*buf)[:n], buf: buf, src: src, at: s.cfg.Now()}:
		default:
			bufPool.Put(buf)
			s.metrics.Dropped(l.kind, DropOverload)
		}
	}
}

func (s *Server) work(l *listener) {
	defer s.wg.Done()
	for p := range l.in {
		s.serve(l, p)
		bufPool.Put(p.buf)
	}
}

// serve answers one datagram, or drops it.
func (s *Server) serve(l *listener, p packet) {
	defer func() {
		if r := recover(); r != nil {
			s.cfg.Log.Error("radius: panic serving a request", "kind", string(l.kind), "panic", fmt.Sprint(r))
			s.metrics.Dropped(l.kind, DropDeciderError)
		}
	}()
	req, nas, reason := s.check(l.kind, p)
	if reason != "" {
		s.metrics.Dropped(l.kind, reason)
		return
	}
	if req.Code == radius.CodeStatusServer {
		s.status(l, req, p)
		return
	}
	key := cacheKey{src: p.src, code: byte(req.Code), id: req.Identifier, auth: req.Authenticator}
	switch reply, state := s.cache.begin(key, p.at); state {
	case cacheHit:
		s.metrics.Answered(l.kind, OutcomeCached, s.cfg.Now().Sub(p.at))
		s.send(l, reply, p.src)
		return
	case cacheInFlight:
		s.metrics.Dropped(l.kind, DropInFlight)
		return
	}
	var (
		reply   []byte
		outcome Outcome
		after   func()
	)
	if l.kind == KindAuth {
		reply, outcome, reason = s.authorize(req, nas, p.at)
	} else {
		reply, after, reason = s.account(req, nas, p.at)
		outcome = OutcomeAccounted
	}
	if reason != "" {
		s.cache.abandon(key)
		s.metrics.Dropped(l.kind, reason)
		return
	}
	// Counted before the reply leaves, so that whoever has the answer in
	// hand finds it counted.
	s.metrics.Answered(l.kind, outcome, s.cfg.Now().Sub(p.at))
	s.send(l, reply, p.src)
	s.cache.finish(key, reply, s.cfg.Now())
	if after != nil {
		after()
	}
}

func (s *Server) send(l *listener, reply []byte, to netip.AddrPort) {
	if _, err := l.conn.WriteToUDPAddrPort(reply, to); err != nil && !errors.Is(err, net.ErrClosed) {
		s.cfg.Log.Warn("radius write", "kind", string(l.kind), "to", to.String(), "err", err)
	}
}

// status answers a Status-Server (RFC 5997): a router, or a proxy in
// front of several servers, asks whether this one is up before sending it
// users, and fails over when it hears nothing. The auth port answers with
// an Access-Accept that carries nothing but its Message-Authenticator; the
// accounting port with an Accounting-Response, signed as every other one
// (see account). Each is answered afresh, not from the reply cache: a
// Status-Server is never retransmitted, and the answer costs nothing. It
// is left unanswered while billing cannot decide (ready).
func (s *Server) status(l *listener, req *radius.Packet, p packet) {
	if !s.ready() {
		s.metrics.Dropped(l.kind, DropDeciderError)
		return
	}
	var reply []byte
	var err error
	if l.kind == KindAuth {
		reply, err = Encode(req.Response(radius.CodeAccessAccept))
	} else {
		reply, err = req.Response(radius.CodeAccountingResponse).Encode()
	}
	if err != nil {
		s.metrics.Dropped(l.kind, DropReplyTooLarge)
		return
	}
	s.metrics.Answered(l.kind, OutcomeStatus, s.cfg.Now().Sub(p.at))
	s.send(l, reply, p.src)
}

// pingEvery is how long a Ping's answer stands: routers probe every few
// seconds each, and the database need not be asked for every probe.
const pingEvery = time.Second

// ready reports whether billing could decide now: the Decider's Ping, at
// most once a pingEvery, or true for a Decider without one.
func (s *Server) ready() bool {
	pinger, ok := s.d.(Pinger)
	if !ok {
		return true
	}
	s.pingMu.Lock()
	defer s.pingMu.Unlock()
	now := s.cfg.Now()
	if !s.pingAt.IsZero() && now.Sub(s.pingAt) < pingEvery && now.Sub(s.pingAt) >= 0 {
		return s.pingOK
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.DecideTimeout)
	err := pinger.Ping(ctx)
	cancel()
	s.pingAt, s.pingOK = now, err == nil
	if err != nil {
		s.log.warn("ping", "radius: Status-Server left unanswered: billing cannot decide now, so routers may move users to another server", "err", err)
	}
	return s.pingOK
}
