package isp

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// A batch's printable sheet: an A4 page of 24 cards (3 across, 8 down)
// per page, cut along the dashed lines. The HTML stands alone (no
// scripts, no outside files), so it prints the same from any browser.
var sheetTemplate = template.Must(template.New("sheet").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><title>{{.ISP}} vouchers: {{.Plan}} ({{.Count}})</title>
<style>
@page{size:A4;margin:8mm}
*{box-sizing:border-box}
body{margin:0;font:10pt/1.25 system-ui,sans-serif;color:#000}
.sheet{display:grid;grid-template-columns:repeat(3,1fr);grid-auto-rows:34.4mm}
.card{border:1px dashed #777;padding:2.5mm 3mm;overflow:hidden;break-inside:avoid;page-break-inside:avoid}
.isp{font-weight:700}
.plan{float:right}
.code{font:700 15pt/1.3 ui-monospace,monospace;letter-spacing:.04em;margin:1mm 0}
.small{font-size:7.5pt}
.used .code{text-decoration:line-through}
header{margin:0 0 3mm}
@media screen{body{margin:1em}}
@media print{header{display:none}}
</style>
<header><b>{{.ISP}}</b>: {{.Count}} vouchers for {{.Plan}} at {{.Price}}, valid until {{.Expires}}. Batch {{.Batch}}. Print on A4 at 100%.</header>
<main class="sheet">
{{range .Cards}}<div class="card{{if .Used}} used{{end}}">
<span class="isp">{{$.ISP}}</span><span class="plan">{{$.Plan}} · {{$.Price}}</span>
<div class="code">{{.Code}}</div>
<div class="small">Connect to the Wi-Fi and enter the code as your username{{if $.Keyword}}, or SMS VOUCHER and the code to {{$.Keyword}}{{end}}. Use by {{$.Expires}}. No. {{.Seq}}</div>
<div class="small">Ingiza nambari kama jina la mtumiaji kwenye Wi-Fi. Tumia kabla ya {{$.Expires}}.</div>
</div>
{{end}}</main>
</html>
`))

type sheetCard struct {
	Seq  int
	Code string // grouped 4-4-4
	Used bool
}

// VoucherSheet renders a batch as a printable A4 sheet (HTML with print
// CSS). Printing shows the codes, so it is an audit event; by names who
// printed it. keyword, when set, is the number customers may text the
// code to.
func (s *Service) VoucherSheet(ctx context.Context, batchID, keyword, by string) ([]byte, error) {
	b, vs, err := s.Vouchers(ctx, batchID)
	if err != nil {
		return nil, err
	}
	plan, err := s.GetPlan(ctx, b.PlanID)
	if err != nil {
		return nil, err
	}
	data := struct {
		ISP, Plan, Price, Expires, Batch, Keyword string
		Count                                     int
		Cards                                     []sheetCard
	}{ISP: s.cfg.Name, Plan: plan.Name, Price: kes(b.Price), Expires: b.ExpiresAt.In(tariff.Zone).Format("02/01/2006"), Batch: b.ID,
		Keyword: keyword, Count: b.Count}
	for _, v := range vs {
		data.Cards = append(data.Cards, sheetCard{Seq: v.Seq, Code: groupCode(v.Code), Used: !v.RedeemedAt.IsZero()})
	}
	var out bytes.Buffer
	if err := sheetTemplate.Execute(&out, data); err != nil {
		return nil, fmt.Errorf("voucher sheet %s: %w", batchID, err)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return payment.Audit(tx, by, "isp.vouchers.print", batchID, fmt.Sprintf("%d vouchers at %s", b.Count, time.Now().UTC().Format(time.RFC3339)))
	})
	return out.Bytes(), err
}

// groupCode writes a code as "1234 5678 9012", easier to read and type.
func groupCode(c string) string {
	if len(c) != VoucherDigits {
		return c
	}
	return c[:4] + " " + c[4:8] + " " + c[8:]
}
