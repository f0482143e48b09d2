package api

import (
	"net/http"
	"strconv"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/vend"
)

type myMeterJSON struct {
	DRN    string     `json:"drn"`
	Status string     `json:"status"`
	Tariff string     `json:"tariff"`
	Area   string     `json:"area,omitempty"`
	Debt   amountJSON `json:"debt"`
}

// meters lists the meters registered to the customer's phone.
func (m *me) meters(w http.ResponseWriter, r *http.Request) error {
	ms, err := customer.MetersForPhone(r.Context(), m.DB.Read(), meSession(r).MSISDN)
	if err != nil {
		return err
	}
	out := []myMeterJSON{}
	for _, x := range ms {
		out = append(out, myMeterJSON{DRN: x.DRN, Status: x.Status, Tariff: x.TariffID, Area: x.Area, Debt: amount(x.Debt, "")})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"meters": out})
}

// tokens lists a meter's newest purchases with their tokens and receipts.
func (m *me) tokens(w http.ResponseWriter, r *http.Request) error {
	x, err := m.myMeter(r, r.PathValue("drn"))
	if err != nil {
		return err
	}
	limit, err := meLimit(r, 10, 50)
	if err != nil {
		return err
	}
	vs, err := vend.ForMeter(r.Context(), m.DB.Read(), x.DRN, limit)
	if err != nil {
		return err
	}
	out := []vendJSON{}
	for _, v := range vs {
		out = append(out, vendView(v))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"meter": x.DRN, "vends": out})
}

// meLimit reads the limit query parameter: def when absent, 1 to most.
func meLimit(r *http.Request, def, most int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > most {
		return 0, invalid("limit %q: want 1-%d", s, most)
	}
	return n, nil
}
