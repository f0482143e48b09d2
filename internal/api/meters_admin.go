package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
)

// The meter's life, for staff: register, edit, deactivate, reactivate,
// move, queue a key change, swap. Each change is audited under the API
// key's name by customer.Registry.

// meterRecordJSON is a meter as staff who change it see it: whose it is,
// in full, and its key parameters.
type meterRecordJSON struct {
	DRN        string          `json:"drn"`
	Status     string          `json:"status"`
	Customer   *ownerJSON      `json:"customer,omitempty"`
	Tariff     string          `json:"tariff"`
	Area       string          `json:"area"`
	Debt       amountJSON      `json:"debt"`
	Keys       keysJSON        `json:"keys"`
	KeyChange  *pendingKeyJSON `json:"key_change_pending,omitempty"`
	ReplacedBy string          `json:"replaced_by,omitempty"`
}

type ownerJSON struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Phones   []string `json:"phones"`
}

type keysJSON struct {
	SGC       string `json:"sgc"`
	TI        int    `json:"ti"`
	KRN       int    `json:"krn"`
	KT        int    `json:"kt"`
	KEN       int    `json:"ken"`
	BaseDate  int    `json:"base_date"`
	Algorithm string `json:"algorithm"`
	DKGA      string `json:"dkga"`
}

// pendingKeyJSON is the key a meter moves to with its next credit token.
type pendingKeyJSON struct {
	keysJSON
	Rollover bool `json:"rollover"`
}

func keysOf(m customer.Meter) keysJSON {
	return keysJSON{SGC: m.SGC, TI: m.TI, KRN: m.KRN, KT: m.KT, KEN: m.KEN, BaseDate: m.BaseDate, Algorithm: m.Algorithm, DKGA: m.DKGA}
}

func (h *Handler) meterRecord(ctx context.Context, m customer.Meter) (meterRecordJSON, error) {
	out := meterRecordJSON{DRN: m.DRN, Status: m.Status, Tariff: m.TariffID, Area: m.Area, Debt: amount(m.Debt, ""), ReplacedBy: m.ReplacedBy, Keys: keysOf(m)}
	if m.CustomerID != "" {
		c, err := customer.Get(ctx, h.DB.Read(), m.CustomerID)
		if err != nil {
			return out, err
		}
		out.Customer = &ownerJSON{ID: c.ID, Name: c.Name, Language: c.Language, Phones: append([]string{}, c.Phones...)}
	}
	pk, err := m.Pending()
	if err != nil {
		return out, err
	}
	if pk != nil {
		out.KeyChange = &pendingKeyJSON{keysJSON: keysOf(pk.Apply(m)), Rollover: pk.Rollover}
	}
	return out, nil
}

// registry makes the changes as the caller.
func (h *Handler) registry() *customer.Registry {
	return &customer.Registry{DB: h.DB, Audit: payment.Audit}
}

// keysRequest are key parameters a request may set; absent ones stay.
type keysRequest struct {
	SGC       *string `json:"sgc"`
	TI        *int    `json:"ti"`
	KRN       *int    `json:"krn"`
	KT        *int    `json:"kt"`
	KEN       *int    `json:"ken"`
	BaseDate  *int    `json:"base_date"`
	Algorithm *string `json:"algorithm"`
	DKGA      *string `json:"dkga"`
}

func (k keysRequest) params() customer.KeyParams {
	return customer.KeyParams{SGC: k.SGC, TI: k.TI, KRN: k.KRN, KT: k.KT, KEN: k.KEN, BaseDate: k.BaseDate, Algorithm: k.Algorithm, DKGA: k.DKGA}
}

// ownerRequest names an existing customer or describes a new one.
type ownerRequest struct {
	CustomerID string           `json:"customer_id"`
	Customer   *newCustomerJSON `json:"customer"`
}

type newCustomerJSON struct {
	Name     string   `json:"name"`
	Language string   `json:"language"`
	Phones   []string `json:"phones"`
}

func (o ownerRequest) owner() (customer.Owner, error) {
	switch {
	case o.CustomerID != "" && o.Customer != nil:
		return customer.Owner{}, invalid("give customer_id or customer, not both")
	case o.CustomerID != "":
		return customer.Owner{CustomerID: o.CustomerID}, nil
	case o.Customer != nil:
		return customer.Owner{New: customer.Customer{Name: strings.TrimSpace(o.Customer.Name), Language: o.Customer.Language, Phones: o.Customer.Phones}}, nil
	}
	return customer.Owner{}, invalid("customer_id or customer: required (whose meter it is)")
}

// meterChange is a handler that reads a request of type T (an empty body
// is T's zero value), makes the change and answers with the meter it
// returns, as it now is.
func meterChange[T any](h *Handler, status int, change func(r *http.Request, actor string, req T) (customer.Meter, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req T
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &req); err != nil {
				return err
			}
		}
		m, err := change(r, principal(r).String(), req)
		if err != nil {
			return err
		}
		out, err := h.meterRecord(r.Context(), m)
		if err != nil {
			return err
		}
		return writeJSON(w, status, out)
	}
}

type registerRequest struct {
	DRN string `json:"drn"`
	keysRequest
	Tariff    string `json:"tariff"`
	Area      string `json:"area"`
	DebtMinor int64  `json:"debt_minor"`
	ownerRequest
}

func (h *Handler) meterRegister(r *http.Request, actor string, req registerRequest) (customer.Meter, error) {
	o, err := req.owner()
	if err != nil {
		return customer.Meter{}, err
	}
	return h.registry().Register(r.Context(), actor, customer.Registration{DRN: req.DRN, Keys: req.params(),
		TariffID: req.Tariff, Area: req.Area, Debt: money.Amount(req.DebtMinor), Owner: o})
}

type editRequest struct {
	Area   *string   `json:"area"`
	Tariff *string   `json:"tariff"`
	Phones *[]string `json:"phones"`
}

// meterEdit changes a meter's area, tariff or phones. Care may correct
// the area and the phones, a customer's everyday requests; a change of
// tariff is the administrator's, as it changes what the customer pays.
func (h *Handler) meterEdit(r *http.Request, actor string, req editRequest) (customer.Meter, error) {
	if p := principal(r); req.Tariff != nil && !p.Can(staff.RoleAdmin) {
		return customer.Meter{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "role " + p.Role + " may not change a meter's tariff"}
	}
	return h.registry().Edit(r.Context(), actor, r.PathValue("drn"), customer.Edit{Area: req.Area, TariffID: req.Tariff, Phones: req.Phones})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (h *Handler) meterDeactivate(r *http.Request, actor string, req reasonRequest) (customer.Meter, error) {
	if err := req.check(); err != nil {
		return customer.Meter{}, err
	}
	return h.registry().Deactivate(r.Context(), actor, r.PathValue("drn"), req.Reason)
}

func (h *Handler) meterReactivate(r *http.Request, actor string, req reasonRequest) (customer.Meter, error) {
	if err := req.check(); err != nil {
		return customer.Meter{}, err
	}
	return h.registry().Reactivate(r.Context(), actor, r.PathValue("drn"), req.Reason)
}

func (req reasonRequest) check() error {
	if len(req.Reason) > maxReason {
		return invalid("reason: at most %d bytes, got %d", maxReason, len(req.Reason))
	}
	return nil
}

func (h *Handler) meterMove(r *http.Request, actor string, req ownerRequest) (customer.Meter, error) {
	o, err := req.owner()
	if err != nil {
		return customer.Meter{}, err
	}
	return h.registry().Move(r.Context(), actor, r.PathValue("drn"), o)
}

func (h *Handler) meterKeyChange(r *http.Request, actor string, req keysRequest) (customer.Meter, error) {
	drn := r.PathValue("drn")
	if _, err := h.registry().QueueKeyChange(r.Context(), actor, drn, req.params()); err != nil {
		return customer.Meter{}, err
	}
	return customer.GetMeter(r.Context(), h.DB.Read(), customer.NormalizeNumber(drn))
}

type swapRequest struct {
	NewDRN string `json:"new_drn"`
	keysRequest
}

// meterSwap records a swap and answers with the new meter.
func (h *Handler) meterSwap(r *http.Request, actor string, req swapRequest) (customer.Meter, error) {
	return h.registry().Swap(r.Context(), actor, r.PathValue("drn"), req.NewDRN, req.params())
}
