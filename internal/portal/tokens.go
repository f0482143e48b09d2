package portal

import (
	"net/http"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/vend"
)

// tokenPageSize keeps the tokens page well under its 30 KB.
const tokenPageSize = 10

// tokens lists a meter's newest purchases with their tokens.
func (h *Handler) tokens(w http.ResponseWriter, v *visit) error {
	ctx := v.r.Context()
	m, err := h.myMeter(ctx, v, v.r.PathValue("drn"))
	if err != nil {
		return err
	}
	vs, err := vend.ForMeter(ctx, h.DB.Read(), m.DRN, tokenPageSize)
	if err != nil {
		return err
	}
	p := v.page("tokens.title", struct {
		Meter customer.Meter
		Vends []vend.Vend
	}{m, vs}, m.DRN)
	p.Nav = "meters"
	if v.r.URL.Query().Get("sent") == "1" {
		p.Notice = t(v.lang, "tokens.resent")
	}
	return h.render(w, v, http.StatusOK, "tokens", p)
}
