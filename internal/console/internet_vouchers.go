package console

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
	"github.com/mteja/mteja/internal/webpage"
)

type vouchersData struct {
	Batches   []isp.BatchSummary
	Plans     map[string]string // plan id → name
	CanCreate bool
	Sellable  []isp.Plan // on sale with a price: what vouchers are printed for
	Form      voucherForm
	MaxBatch  int
}

type voucherForm struct{ Plan, Count, Expires, Note string }

// vouchers lists the voucher batches, newest first, with how many of each
// are used; finance prints new ones.
func (h *Handler) vouchers(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	f := voucherForm{Count: "24", Expires: h.DB.Now().In(tariff.Zone).AddDate(0, 3, 0).Format(time.DateOnly)}
	return h.vouchersPage(w, v, svc, http.StatusOK, f, "")
}

func (h *Handler) vouchersPage(w http.ResponseWriter, v *visit, svc *isp.Service, status int, f voucherForm, problem string) error {
	ctx := v.r.Context()
	bs, err := svc.VoucherBatches(ctx, 100)
	if err != nil {
		return err
	}
	d := vouchersData{Batches: bs, Plans: map[string]string{}, CanCreate: Allows(financeRoles, v.user().Role), Form: f, MaxBatch: isp.MaxBatch}
	ps, err := svc.Plans(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		d.Plans[p.ID] = p.Name
		if p.Active && p.Price > 0 {
			d.Sellable = append(d.Sellable, p)
		}
	}
	p := h.page(v, "vouchers.title", d)
	p.Err = problem
	return h.render(w, v, status, "internet_vouchers", p)
}

// voucherCreate prints a batch: count vouchers of a plan, good until the
// end of the day chosen (East Africa Time).
func (h *Handler) voucherCreate(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	fm, err := readForm(v)
	if err != nil {
		return err
	}
	f := voucherForm{Plan: fm.str("plan"), Count: fm.str("count"), Expires: fm.str("expires"), Note: fm.str("note")}
	count, err := strconv.Atoi(f.Count)
	if err != nil || count < 1 || count > isp.MaxBatch {
		return h.vouchersPage(w, v, svc, http.StatusBadRequest, f, t(v.lang, "vouchers.bad.count", isp.MaxBatch))
	}
	day, err := time.ParseInLocation(time.DateOnly, f.Expires, tariff.Zone)
	if err != nil {
		return h.vouchersPage(w, v, svc, http.StatusBadRequest, f, t(v.lang, "vouchers.bad.expires"))
	}
	// Good through the day chosen, which billing takes within two years.
	ends, now := day.AddDate(0, 0, 1), h.DB.Now()
	if !ends.After(now) || ends.After(now.AddDate(2, 0, 0)) {
		return h.vouchersPage(w, v, svc, http.StatusBadRequest, f, t(v.lang, "vouchers.bad.expires"))
	}
	b, err := svc.NewVouchers(v.r.Context(), f.Plan, count, ends, store.Truncate(f.Note, 200), v.user().Actor())
	if err != nil {
		return ispError(err)
	}
	return redirect(w, v, "/staff/internet/vouchers/"+url.PathEscape(b.ID))
}

type batchData struct {
	Batch    isp.BatchSummary
	Plan     string
	Uses     []isp.VoucherUse
	CanPrint bool
}

// voucherBatch shows a batch and which of its vouchers are used, when and
// by whom; not their codes, which only the printed sheet shows.
func (h *Handler) voucherBatch(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	ctx := v.r.Context()
	b, err := svc.Batch(ctx, v.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := batchData{Batch: b, Plan: b.PlanID, CanPrint: Allows(financeRoles, v.user().Role)}
	if pl, err := svc.GetPlan(ctx, b.PlanID); err == nil {
		d.Plan = pl.Name
	}
	if d.Uses, err = svc.VoucherUses(ctx, b.ID); err != nil {
		return err
	}
	return h.render(w, v, http.StatusOK, "internet_batch", h.page(v, "batch.title", d, d.Plan))
}

// voucherSheet sends a batch's A4 sheet to print, codes and all; billing
// audits each print. The sheet is a page of its own: its one inline style
// is named in its Content-Security-Policy, and nothing else runs or loads.
func (h *Handler) voucherSheet(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	sheet, err := svc.VoucherSheet(v.r.Context(), v.r.PathValue("id"), "", v.user().Actor())
	if err != nil {
		return err
	}
	style := ""
	if _, rest, ok := bytes.Cut(sheet, []byte("<style>")); ok {
		if s, _, ok := bytes.Cut(rest, []byte("</style>")); ok {
			style = string(s)
		}
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(sheet)))
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+webpage.Hash(style)+"; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	_, err = w.Write(sheet)
	return err
}
