package smpp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/mteja/mteja/internal/notify/sms"
)

// esm_class and TON/NPI values used in submit_sm.
const (
	esmUDHI        = 0x40
	tonInternation = 1
	tonAlphanum    = 5
	npiISDN        = 1
	npiUnknown     = 0
)

// Send submits msg, split into as many parts as its text needs, each part
// asking for a delivery receipt. It returns the SMSC's id for each part,
// normalised (see NormalizeID). Errors wrap one sms error class; when a
// later part fails, the result still lists the parts already accepted.
//
// Throttled parts are resubmitted (Config.ThrottleRetries) at the slowed
// rate before Send gives up with sms.ErrThrottled.
func (c *Client) Send(ctx context.Context, msg sms.Message) (sms.SubmitResult, error) {
	src, dst, err := addresses(msg)
	if err != nil {
		return sms.SubmitResult{}, fmt.Errorf("smpp send %s: %w: %w", msg.ID, err, sms.ErrPermanent)
	}
	coding, parts, err := sms.Plan(msg.Text)
	if err != nil {
		return sms.SubmitResult{}, fmt.Errorf("smpp send %s: %w: %w", msg.ID, err, sms.ErrPermanent)
	}
	enc := data.GSM7BIT // unpacked septets, data_coding 0
	if coding == sms.CodingUCS2 {
		enc = data.UCS2
	}
	res := sms.SubmitResult{Parts: len(parts)}
	ref := byte(c.ref.Add(1))
	for i, payload := range parts {
		esm := byte(0)
		if len(parts) > 1 {
			// Our own UDH: IEI 00 (concatenation, 8-bit reference),
			// length 3, reference, total, sequence from 1.
			payload = append([]byte{0x05, 0x00, 0x03, ref, byte(len(parts)), byte(i + 1)}, payload...)
			esm = esmUDHI
		}
		build := func() (*pdu.SubmitSM, error) {
			p := pdu.NewSubmitSM().(*pdu.SubmitSM)
			p.ServiceType = c.cfg.ServiceType
			p.SourceAddr = src
			p.DestAddr = dst
			p.EsmClass = esm
			p.RegisteredDelivery = 1
			if err := p.Message.SetMessageDataWithEncoding(payload, enc); err != nil {
				return nil, err
			}
			return p, nil
		}
		id, err := c.submitPart(ctx, build)
		if err != nil {
			if i > 0 {
				return res, fmt.Errorf("smpp send %s: part %d of %d (parts before it accepted): %w", msg.ID, i+1, len(parts), err)
			}
			return res, fmt.Errorf("smpp send %s: %w", msg.ID, err)
		}
		res.ProviderIDs = append(res.ProviderIDs, id)
	}
	return res, nil
}

// addresses builds the source and destination addresses: an alphanumeric
// sender goes as TON 5 / NPI 0, a numeric one as TON 1 / NPI 1, and the
// recipient as TON 1 / NPI 1 in international digits.
func addresses(msg sms.Message) (src, dst pdu.Address, err error) {
	if !isDigits(msg.To) || len(msg.To) < 6 || len(msg.To) > 15 {
		return src, dst, fmt.Errorf("recipient %q is not an international number of 6-15 digits without '+'", msg.To)
	}
	switch {
	case msg.From == "":
		return src, dst, errors.New("sender ID is empty")
	case isDigits(msg.From) && len(msg.From) <= 15:
		src = pdu.NewAddressWithTonNpi(tonInternation, npiISDN)
	case len(msg.From) <= 11 && printableASCII(msg.From):
		src = pdu.NewAddressWithTonNpi(tonAlphanum, npiUnknown)
	default:
		return src, dst, fmt.Errorf("sender ID %q is neither up to 15 digits nor up to 11 printable ASCII characters", msg.From)
	}
	if err := src.SetAddress(msg.From); err != nil {
		return src, dst, err
	}
	dst = pdu.NewAddressWithTonNpi(tonInternation, npiISDN)
	if err := dst.SetAddress(msg.To); err != nil {
		return src, dst, err
	}
	return src, dst, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// submitPart submits one part, resubmitting while the SMSC throttles.
func (c *Client) submitPart(ctx context.Context, build func() (*pdu.SubmitSM, error)) (string, error) {
	for attempt := 0; ; attempt++ {
		b, err := c.awaitBind(ctx)
		if err != nil {
			return "", err
		}
		p, err := build()
		if err != nil {
			return "", fmt.Errorf("build submit_sm: %w: %w", err, sms.ErrPermanent)
		}
		id, sentAt, err := c.submitOnce(ctx, b, p)
		if err == nil {
			return id, nil
		}
		var se *StatusError
		if !errors.As(err, &se) {
			return "", err
		}
		switch {
		case se.Status == data.ESME_RTHROTTLED:
			c.stats.throttled.Add(1)
			c.limiter.throttled(sentAt, time.Now())
			if attempt < c.cfg.ThrottleRetries {
				continue
			}
		case needsRebind(se.Status):
			c.stats.refused.Add(1)
			b.markLost()
		default:
			c.stats.refused.Add(1)
		}
		return "", fmt.Errorf("submit_sm: %w", err)
	}
}

// submitOnce sends one submit_sm on b and waits for its answer. sentAt is
// when it went out (zero if it did not).
func (c *Client) submitOnce(ctx context.Context, b *bind, p *pdu.SubmitSM) (id string, sentAt time.Time, err error) {
	select {
	case c.window <- struct{}{}:
	case <-ctx.Done():
		return "", sentAt, fmt.Errorf("wait for window: %w: %w", ctx.Err(), sms.ErrTemporary)
	}
	defer func() { <-c.window }()
	if err := c.limiter.wait(ctx); err != nil {
		return "", sentAt, fmt.Errorf("wait for rate limit: %w: %w", err, sms.ErrTemporary)
	}

	seq := p.GetSequenceNumber()
	cl := b.register(seq)
	c.inflight.Add(1)
	defer c.inflight.Add(-1)
	submitted := time.Now()
	if err := b.sess.Transceiver().Submit(p); err != nil {
		b.take(seq)
		return "", sentAt, fmt.Errorf("submit_sm: %w: %w", err, sms.ErrTemporary)
	}

	timer := time.NewTimer(c.cfg.ResponseTimeout)
	defer timer.Stop()
	var res callResult
	select {
	case res = <-cl.done:
	case <-timer.C:
		res = c.abandon(b, seq, cl, fmt.Errorf("no submit_sm_resp within %v", c.cfg.ResponseTimeout))
	case <-ctx.Done():
		res = c.abandon(b, seq, cl, fmt.Errorf("waiting for submit_sm_resp: %w", ctx.Err()))
	}
	if n := cl.sentAt.Load(); n != 0 {
		sentAt = time.Unix(0, n)
	} else if res.err == nil {
		// Answered, so it went out, but the answer overtook the write's
		// own notice: the moment before the write is close enough, and it
		// is after any earlier rate cut (the limiter waited past it).
		sentAt = submitted
	}
	switch {
	case res.err != nil:
		if errors.Is(res.err, sms.ErrUnknownOutcome) {
			c.stats.unknown.Add(1)
		}
		return "", sentAt, res.err
	case res.status != data.ESME_ROK:
		return "", sentAt, statusError(res.status)
	case res.id == "":
		// Accepted all the same; no receipt will ever match it, which the
		// caller's delivery watch will notice.
		c.cfg.Logger.Warn("smpp submit_sm_resp without message_id", "addr", c.cfg.Addr, "seq", seq)
	}
	c.stats.parts.Add(1)
	return res.id, sentAt, nil
}

// abandon gives up waiting for a response. If the answer raced in first,
// it wins.
func (c *Client) abandon(b *bind, seq int32, cl *call, cause error) callResult {
	if b.take(seq) == nil {
		return <-cl.done
	}
	return callResult{err: lostError(cl, cause)}
}
