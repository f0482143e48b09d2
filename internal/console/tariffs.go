package console

import (
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/vend"
)

// tariffRow is one tariff in the list.
type tariffRow struct {
	vend.StoredTariff
	InForce, Next string // effective dates; "" for none
}

type tariffsData struct {
	Tariffs   []tariffRow
	CanImport bool
}

// tariffs lists the stored tariffs: which version is in force, which comes
// next, how many meters are on each. Admins import files here.
func (h *Handler) tariffs(w http.ResponseWriter, v *visit) error {
	ts, err := vend.ListTariffs(v.r.Context(), h.DB.Read())
	if err != nil {
		return err
	}
	now := h.DB.Now()
	d := tariffsData{CanImport: Allows(adminRoles, v.user().Role)}
	for _, s := range ts {
		row := tariffRow{StoredTariff: s}
		for i, ver := range s.Tariff.Versions {
			switch s.Tariff.State(i, now) {
			case tariff.StateInForce:
				row.InForce = day(ver.EffectiveFrom)
			case tariff.StateFuture:
				if row.Next == "" {
					row.Next = day(ver.EffectiveFrom)
				}
			}
		}
		d.Tariffs = append(d.Tariffs, row)
	}
	return h.render(w, v, http.StatusOK, "tariffs", h.page(v, "tariffs.title", d))
}

// versionView is one version's figures as the tariff page shows them.
type versionView struct {
	From   string
	State  string // tariff.StatePast, StateInForce or StateFuture
	Blocks []blockView
	// Charges are the pass-throughs and levies, in receipt order, each
	// labelled in the page's language.
	Charges []chargeView
	tariff.Version
}

type blockView struct {
	From, UpTo string // kWh; UpTo "" for the open-ended last block
	Rate       tariff.Rate
}

type chargeView struct {
	tariff.Charge
	Label    string
	OfEnergy bool // a share of the energy charge, not a rate per kWh
}

type tariffData struct {
	vend.StoredTariff
	Versions  []versionView
	CanImport bool
}

// tariffPage shows every version of a tariff with its figures: energy
// blocks, pass-throughs and levies, fixed charge, VAT, debt recovery and
// purchase limits.
func (h *Handler) tariffPage(w http.ResponseWriter, v *visit) error {
	s, err := vend.GetTariff(v.r.Context(), h.DB.Read(), v.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := tariffData{StoredTariff: s, CanImport: Allows(adminRoles, v.user().Role)}
	now := h.DB.Now()
	for i, ver := range s.Tariff.Versions {
		vv := versionView{From: day(ver.EffectiveFrom), State: s.Tariff.State(i, now), Version: ver}
		var from int64
		for _, b := range ver.Blocks {
			bv := blockView{From: tariff.KWhText(from), Rate: b.Rate}
			if b.UpToWh != 0 {
				bv.UpTo, from = tariff.KWhText(b.UpToWh), b.UpToWh
			}
			vv.Blocks = append(vv.Blocks, bv)
		}
		for _, c := range ver.Charges {
			vv.Charges = append(vv.Charges, chargeView{Charge: c, Label: lineLabel(ver, c.Code, v.lang), OfEnergy: c.Kind == tariff.LevyOfEnergy})
		}
		d.Versions = append(d.Versions, vv)
	}
	p := h.page(v, "tariff.title", d, s.ID)
	switch v.r.URL.Query().Get("done") {
	case "imported":
		p.Notice = t(v.lang, "tariff.imported")
	case "same":
		p.Notice = t(v.lang, "tariff.same")
	}
	return h.render(w, v, http.StatusOK, "tariff", p)
}

// lineLabel is a receipt line's wording in lang.
func lineLabel(ver tariff.Version, code, lang string) string {
	l := ver.Label(code)
	if lang == langSW && l.SW != "" {
		return l.SW
	}
	return l.EN
}

// day shows an effective date.
func day(t time.Time) string { return t.In(tariff.Zone).Format("2006-01-02") }
