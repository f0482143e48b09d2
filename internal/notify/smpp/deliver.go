package smpp

import (
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"

	"github.com/mteja/mteja/internal/notify/sms"
)

// esm_class message types (bits 2-5) of a deliver_sm.
const (
	esmTypeMask        = 0x3C
	esmTypeReceipt     = 0x04 // SMSC delivery receipt
	esmTypeIntermedate = 0x20 // intermediate delivery notification
)

// maxParked bounds receipts held for an id we have not seen yet.
const maxParked = 10000

// parkedReceipt is a receipt that may have overtaken its submit_sm_resp.
type parkedReceipt struct {
	f     receiptFields
	timer *time.Timer
}

// onDeliver handles a deliver_sm: a receipt or an inbound message. It
// runs on the read loop; the deliver_sm_resp goes out when it returns.
func (c *Client) onDeliver(d *pdu.DeliverSM) {
	body, _ := d.Message.GetMessageData()
	if len(body) == 0 {
		if f, ok := d.OptionalParameters[pdu.TagMessagePayload]; ok {
			body = f.Data
		}
	}
	switch d.EsmClass & esmTypeMask {
	case esmTypeReceipt, esmTypeIntermedate:
		f, err := parseReceipt(decodeText(body, d.Message.Encoding()), d.OptionalParameters, c.cfg.ReceiptLocation, time.Now())
		if err != nil {
			c.stats.badPDUs.Add(1)
			c.cfg.Logger.Warn("smpp receipt not understood", "addr", c.cfg.Addr, "err", err, "text", string(body))
			return
		}
		c.receipt(f)
	case 0:
		c.stats.inbound.Add(1)
		in := sms.Inbound{
			From: d.SourceAddr.Address(),
			To:   d.DestAddr.Address(),
			Text: decodeText(body, d.Message.Encoding()),
			At:   time.Now(),
		}
		if c.cfg.OnInbound != nil {
			c.cfg.OnInbound(in)
		}
	default:
		// SME acknowledgements and the like: nothing to do.
	}
}

// decodeText reads short_message by its data_coding. gosmpp gives the
// encoding only (nil when unknown); unknown codings are read as GSM 7-bit,
// the SMSC default.
func decodeText(b []byte, enc data.Encoding) string {
	if enc == nil {
		return sms.DecodeGSM7(b)
	}
	switch enc.DataCoding() {
	case data.GSM7BITCoding:
		return sms.DecodeGSM7(b)
	case data.UCS2Coding:
		if s, err := sms.DecodeUCS2(b); err == nil {
			return s
		}
	case data.ASCIICoding, data.BINARY8BIT1Coding, data.BINARY8BIT2Coding:
		return string(b)
	}
	if s, err := enc.Decode(b); err == nil {
		return s
	}
	return string(b)
}

// recordID remembers a submit_sm_resp id and returns it as reported. Any
// receipt parked for it is released now, under the same id.
func (c *Client) recordID(raw string) string {
	type release struct {
		id string
		f  receiptFields
	}
	c.idMu.Lock()
	id := c.ids.add(raw)
	var ready []release
	// Whoever takes a receipt out of parked reports it: here, unpark or
	// flushParked, never two of them.
	for p := range c.parked {
		if pid, ok := c.ids.match(p.f.rawID); ok {
			p.timer.Stop()
			delete(c.parked, p)
			ready = append(ready, release{pid, p.f})
		}
	}
	c.idMu.Unlock()
	for _, r := range ready {
		c.emit(r.id, r.f)
	}
	return id
}

// receipt reports f under the id Send returned for it. A receipt that
// matches no recent id while submits are in flight may have overtaken its
// submit_sm_resp: it waits up to ReceiptPark for that response.
func (c *Client) receipt(f receiptFields) {
	c.idMu.Lock()
	id, ok := c.ids.match(f.rawID)
	if !ok && c.inflight.Load() > 0 && len(c.parked) < maxParked && c.cfg.ReceiptPark > 0 {
		p := &parkedReceipt{f: f}
		c.parked[p] = struct{}{}
		p.timer = time.AfterFunc(c.cfg.ReceiptPark, func() { c.unpark(p) })
		c.idMu.Unlock()
		return
	}
	c.idMu.Unlock()
	if !ok {
		id = NormalizeID(f.rawID)
	}
	c.emit(id, f)
}

func (c *Client) unpark(p *parkedReceipt) {
	c.idMu.Lock()
	_, still := c.parked[p]
	delete(c.parked, p)
	id, ok := c.ids.match(p.f.rawID)
	c.idMu.Unlock()
	if !still {
		return
	}
	if !ok {
		id = NormalizeID(p.f.rawID)
	}
	c.emit(id, p.f)
}

// flushParked reports every parked receipt now (at Close).
func (c *Client) flushParked() {
	c.idMu.Lock()
	var ready []*parkedReceipt
	for p := range c.parked {
		p.timer.Stop()
		delete(c.parked, p)
		ready = append(ready, p)
	}
	c.idMu.Unlock()
	for _, p := range ready {
		c.emit(NormalizeID(p.f.rawID), p.f)
	}
}

func (c *Client) emit(id string, f receiptFields) {
	c.stats.receipts.Add(1)
	if c.cfg.OnReceipt == nil {
		return
	}
	c.cfg.OnReceipt(sms.Receipt{ProviderID: id, State: f.state, ErrCode: f.errCode, At: f.at, Raw: f.raw})
}
