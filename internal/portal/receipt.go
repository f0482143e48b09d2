package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/vend"
)

type receiptLine struct {
	Label  string
	Amount money.Amount
}

// receipt shows one purchase itemised: what the money paid for, line by
// line, adding up to the amount paid, and its tokens.
func (h *Handler) receipt(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	code, err := payment.NormalizeReceipt(v.r.PathValue("receipt"))
	if err != nil {
		return notFound()
	}
	vd, err := vend.ByReceipt(ctx, h.DB.Read(), code)
	if err != nil {
		return err
	}
	if _, err := h.myMeter(ctx, v, vd.MeterDRN); err != nil {
		return err
	}
	lines := make([]receiptLine, 0, len(vd.Quote.Lines))
	for _, l := range vd.Quote.Lines {
		label := l.Label
		if v.lang == langSW && l.LabelSW != "" {
			label = l.LabelSW
		}
		lines = append(lines, receiptLine{label, l.Amount})
	}
	p := v.page("receipt.title", struct {
		Vend  vend.Vend
		Lines []receiptLine
	}{vd, lines}, code)
	p.Nav = "history"
	return h.render(w, v, http.StatusOK, "receipt", p)
}
