package smpp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/mteja/mteja/internal/notify/sms"
)

// bind is one bound connection. The Client replaces it after a loss; a
// submit belongs to the bind it was sent on.
type bind struct {
	c    *Client
	sess *gosmpp.Session

	mu      sync.Mutex
	pending map[int32]*call

	lost     chan struct{} // closed once the connection is gone
	lostOnce sync.Once
	since    time.Time
}

// call is one submit_sm awaiting its response.
type call struct {
	done chan callResult // buffered: the completer never blocks
	// sent turns true once the whole PDU has been written to the socket:
	// from then on a lost connection leaves the outcome unknown.
	sent   atomic.Bool
	sentAt atomic.Int64 // unix nanoseconds
}

type callResult struct {
	id     string // as reported (see Client.recordID)
	status data.CommandStatusType
	err    error
}

func newBind(c *Client) *bind {
	return &bind{c: c, pending: make(map[int32]*call), lost: make(chan struct{}), since: time.Now()}
}

// connect dials and binds. gosmpp's own rebinding is off (interval 0): the
// Client rebinds with backoff and must know which bind a submit went on.
func (b *bind) connect() error {
	cfg := b.c.cfg
	var tc *trackedConn
	dialer := func(addr string) (net.Conn, error) {
		nc, err := net.DialTimeout("tcp", addr, cfg.BindTimeout)
		if err != nil {
			return nil, err
		}
		// gosmpp reads the bind response without a deadline; this one
		// bounds it. Later reads and writes set their own deadlines.
		_ = nc.SetDeadline(time.Now().Add(cfg.BindTimeout))
		tc = &trackedConn{Conn: nc, onSubmitWritten: b.written}
		return tc, nil
	}
	auth := gosmpp.Auth{SMSC: cfg.Addr, SystemID: cfg.SystemID, Password: cfg.Password, SystemType: cfg.SystemType}
	settings := gosmpp.Settings{
		EnquireLink:  cfg.EnquireLink,
		ReadTimeout:  cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout,
		OnAllPDU:     b.onPDU,
		OnSubmitError: func(p pdu.PDU, err error) {
			if _, ok := p.(*pdu.SubmitSM); ok {
				b.fail(p.GetSequenceNumber(), fmt.Errorf("write submit_sm: %w", err))
			}
		},
		OnReceivingError: func(err error) {
			cfg.Logger.Warn("smpp read failed", "addr", cfg.Addr, "err", err)
		},
		OnClosed: func(st gosmpp.State) {
			if st != gosmpp.ExplicitClosing {
				b.markLost()
			}
		},
	}
	sess, err := gosmpp.NewSession(gosmpp.TRXConnector(dialer, auth), settings, 0)
	if err != nil {
		var be gosmpp.BindError
		if !errors.As(err, &be) && tc != nil {
			// gosmpp v0.3.1 insists on reading system_id from every
			// bind_transceiver_resp, and SMSCs send refusals without a
			// body: the refusal then surfaces as EOF. Its status is in
			// the header we saw go by.
			if st, ok := tc.bindStatus(); ok && st != data.ESME_ROK {
				be = gosmpp.BindError{CommandStatus: st}
				err = be
			}
		}
		if errors.As(err, &be) && bindErrorIsAuth(be.CommandStatus) {
			return fmt.Errorf("bind %s as %q: %w: %w", cfg.Addr, cfg.SystemID, err, sms.ErrBindFailed)
		}
		return fmt.Errorf("bind %s as %q: %w: %w", cfg.Addr, cfg.SystemID, err, sms.ErrTemporary)
	}
	b.sess = sess
	return nil
}

func (b *bind) markLost() {
	b.lostOnce.Do(func() { close(b.lost) })
}

// close ends the session (gosmpp sends unbind) and settles every submit
// still waiting.
func (b *bind) close() {
	b.markLost()
	if b.sess != nil {
		_ = b.sess.Close()
	}
	b.mu.Lock()
	calls := b.pending
	b.pending = make(map[int32]*call)
	b.mu.Unlock()
	for _, cl := range calls {
		cl.done <- callResult{err: lostError(cl, errors.New("connection lost before the response"))}
	}
}

// lostError classes a submit that got no response: unknown outcome if it
// was written, safe to retry if it never left.
func lostError(cl *call, cause error) error {
	if cl.sent.Load() {
		return fmt.Errorf("%w: %w", cause, sms.ErrUnknownOutcome)
	}
	return fmt.Errorf("%w (submit not sent): %w", cause, sms.ErrTemporary)
}

func (b *bind) register(seq int32) *call {
	cl := &call{done: make(chan callResult, 1)}
	b.mu.Lock()
	b.pending[seq] = cl
	b.mu.Unlock()
	return cl
}

// take removes a pending call; nil if it was already settled.
func (b *bind) take(seq int32) *call {
	b.mu.Lock()
	defer b.mu.Unlock()
	cl := b.pending[seq]
	delete(b.pending, seq)
	return cl
}

func (b *bind) lookup(seq int32) *call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pending[seq]
}

func (b *bind) fail(seq int32, cause error) {
	if cl := b.take(seq); cl != nil {
		cl.done <- callResult{err: lostError(cl, cause)}
	}
}

func (b *bind) written(seq int32, complete bool) {
	if cl := b.lookup(seq); cl != nil && complete {
		cl.sentAt.Store(time.Now().UnixNano())
		cl.sent.Store(true)
	}
}

// onPDU handles everything the SMSC sends. Returning a PDU makes gosmpp
// write it as the answer; returning true closes the bind.
func (b *bind) onPDU(p pdu.PDU) (pdu.PDU, bool) {
	switch pp := p.(type) {
	case *pdu.SubmitSMResp:
		cl := b.take(pp.SequenceNumber)
		if cl == nil {
			// Late answer to a submit we gave up on: its id is worth
			// remembering, its receipt will still come.
			if pp.CommandStatus == data.ESME_ROK {
				b.c.recordID(pp.MessageID)
			}
			return nil, false
		}
		res := callResult{status: pp.CommandStatus}
		if pp.CommandStatus == data.ESME_ROK {
			res.id = b.c.recordID(pp.MessageID)
		}
		cl.done <- res
	case *pdu.GenericNack:
		if cl := b.take(pp.SequenceNumber); cl != nil {
			st := pp.CommandStatus
			if st == data.ESME_ROK {
				st = data.ESME_RSYSERR
			}
			cl.done <- callResult{status: st}
		}
	case *pdu.DeliverSM:
		b.c.onDeliver(pp)
		return pp.GetResponse(), false
	case *pdu.EnquireLink:
		return pp.GetResponse(), false
	case *pdu.Unbind:
		b.c.cfg.Logger.Info("smpp unbind from SMSC", "addr", b.c.cfg.Addr)
		return pp.GetResponse(), true
	case *pdu.DataSM:
		// Not used by this client; refuse it so the SMSC keeps it for
		// another bind rather than believing it was handled.
		r := pp.GetResponse().(*pdu.DataSMResp)
		r.CommandStatus = data.ESME_RX_R_APPN
		return r, false
	}
	return nil, false
}

// trackedConn tells the bind when a submit_sm has been written whole.
// gosmpp v0.3.1 writes each PDU with a single Write call
// (Connection.WritePDU), so the header is at the start of the buffer.
// It also keeps the first 16 bytes read: the header of the bind response.
type trackedConn struct {
	net.Conn
	onSubmitWritten func(seq int32, complete bool)

	mu    sync.Mutex
	head  [16]byte
	headN int
}

func (t *trackedConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.mu.Lock()
	if t.headN < len(t.head) {
		t.headN += copy(t.head[t.headN:], p[:n])
	}
	t.mu.Unlock()
	return n, err
}

// bindStatus is the command_status of the first PDU read, if it was a
// bind_transceiver_resp.
func (t *trackedConn) bindStatus() (data.CommandStatusType, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.headN < 16 || data.CommandIDType(binary.BigEndian.Uint32(t.head[4:8])) != data.BIND_TRANSCEIVER_RESP {
		return 0, false
	}
	return data.CommandStatusType(binary.BigEndian.Uint32(t.head[8:12])), true
}

func (t *trackedConn) Write(p []byte) (int, error) {
	n, err := t.Conn.Write(p)
	if len(p) >= 16 && data.CommandIDType(binary.BigEndian.Uint32(p[4:8])) == data.SUBMIT_SM {
		t.onSubmitWritten(int32(binary.BigEndian.Uint32(p[12:16])), err == nil && n == len(p))
	}
	return n, err
}
