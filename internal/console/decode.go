package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/vend"
)

// Decoder reads a token as meter drn would, with the meter's decoder key.
type Decoder func(ctx context.Context, drn string, t sts.Token) (sts.Decoded, error)

type decodeData struct {
	Token, Meter string
	Ours         bool // in our records: made by this system
	Vend         *vend.Vend
	Kind         string // the token's kind in our records
	Decoded      *sts.Decoded
	Issued       time.Time // the TID as a time
	Units        string    // credit in kWh
	Verdict      string    // message key: what the token is
}

// decode tells care what a token a customer reads out is: which meter,
// which TID, how much, and whether it is ours.
func (h *Handler) decode(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	q := v.r.URL.Query()
	d := decodeData{Token: strings.TrimSpace(q.Get("token")), Meter: customer.NormalizeNumber(q.Get("meter"))}
	p := h.page(v, "decode.title", &d)
	if d.Token == "" {
		return h.render(w, v, http.StatusOK, "decode", p)
	}
	tok, err := sts.Parse(d.Token)
	if err != nil {
		p.Err = t(v.lang, "decode.bad")
		return h.render(w, v, http.StatusBadRequest, "decode", p)
	}
	d.Token = tok.Grouped()
	digits := tok.String()
	drn := d.Meter
	vd, kind, err := vend.ByTokenDigits(ctx, h.DB.Read(), digits)
	switch {
	case err == nil:
		d.Ours, d.Vend, d.Kind = true, &vd, kind
		if drn == "" {
			drn = vd.MeterDRN
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if err := h.audit(v, "token.decode", drn, digits[:4]+"…"); err != nil {
		return err
	}
	if drn == "" {
		d.Verdict = "decode.notours.nometer"
		return h.render(w, v, http.StatusOK, "decode", p)
	}
	d.Meter = drn
	m, err := customer.GetMeter(ctx, h.DB.Read(), drn)
	if errors.Is(err, store.ErrNotFound) {
		d.Verdict = "decode.nometer"
		return h.render(w, v, http.StatusOK, "decode", p)
	}
	if err != nil {
		return err
	}
	if h.Services.Decode == nil {
		d.Verdict = "decode.nokey"
		return h.render(w, v, http.StatusOK, "decode", p)
	}
	dec, err := h.Services.Decode(ctx, drn, tok)
	switch {
	case errors.Is(err, sts.ErrCRC), errors.Is(err, sts.ErrUnknownKind) && !dec.CRCOK:
		// A reserved class is refused by every meter before its CRC is
		// read: to the operator it is as wrong as a failed CRC.
		d.Verdict = "decode.crc"
	case err != nil && !errors.Is(err, sts.ErrUnknownKind):
		return err
	default:
		d.Decoded = &dec
		if sm, err := m.STS(); err == nil {
			d.Issued = dec.TID.Time(sm.BaseDate)
		}
		if dec.Class == sts.ClassCredit {
			d.Units = sts.FormatTenths(dec.Amount.Value())
		}
		switch {
		case d.Ours && d.Vend.MeterDRN != drn:
			d.Verdict = "decode.othermeter"
		case d.Ours:
			d.Verdict = "decode.ours"
			if int64(dec.TID) < m.LastTID {
				d.Verdict = "decode.ours.old"
			}
		default:
			d.Verdict = "decode.valid.notours"
		}
	}
	return h.render(w, v, http.StatusOK, "decode", p)
}
