package mpesa

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/phone"
)

// The Pull API answers "1000" where the rest of Daraja answers "0".
const pullSuccess = "1000"

// MaxPullBytes bounds a pull query's reply: a page of a busy short code's
// transactions is far larger than a callback.
const MaxPullBytes = 8 << 20

// PullWindow is how far back the Pull API reaches: M-Pesa keeps pulled
// transactions 48 hours.
const PullWindow = 48 * time.Hour

// pullDateLayout is the Pull API's StartDate and EndDate, in EAT.
const pullDateLayout = "2006-01-02 15:04:05"

// PullRegistration is the reply to RegisterPull.
type PullRegistration struct {
	ResponseRefID       string
	ResponseStatus      string
	ShortCode           string
	ResponseDescription string
}

// RegisterPull registers the short code for the Pull API, once, before any
// query. nominated is a Safaricom number of the business; M-Pesa may post
// notices to callbackURL.
func (c *Client) RegisterPull(ctx context.Context, nominated, callbackURL string) (PullRegistration, error) {
	n, err := phone.Normalize(nominated)
	if err != nil {
		return PullRegistration{}, fmt.Errorf("register pull: %w: nominated number: %v", ErrInvalidRequest, err)
	}
	if err := ValidCallbackPath(callbackURL); err != nil {
		return PullRegistration{}, fmt.Errorf("register pull: %w: %v", ErrInvalidRequest, err)
	}
	body := struct {
		ShortCode       string
		RequestType     string
		NominatedNumber string
		CallBackURL     string
	}{c.ShortCode, "Pull", n, callbackURL}
	f, err := c.callExpecting(ctx, "/pulltransactions/v1/register", body, expect{code: pullSuccess, limit: MaxBodyBytes})
	if err != nil {
		return PullRegistration{}, fmt.Errorf("register pull: %w", err)
	}
	r := PullRegistration{ResponseRefID: f.str("ResponseRefID"), ResponseStatus: strings.TrimSpace(f.str("ResponseStatus")),
		ShortCode: f.str("ShortCode"), ResponseDescription: f.str("ResponseDescription")}
	if r.ResponseStatus != "" && r.ResponseStatus != pullSuccess {
		return r, fmt.Errorf("register pull: %w", &APIError{HTTPStatus: 200, Code: r.ResponseStatus, Message: r.ResponseDescription})
	}
	return r, nil
}

// PullTransaction is one payment as the Pull API lists it.
type PullTransaction struct {
	TransactionID    string    // the M-Pesa receipt
	Time             time.Time // trxDate, in UTC
	MSISDN           string    // the payer: "2547..." when M-Pesa gives a number, else as given (a mask)
	Sender           string
	TransactionType  string // "c2b-pay-bill-debit", ...
	BillReference    string // the account the customer typed, or the STK AccountReference
	Amount           money.Amount
	OrganizationName string
}

// PullPage is one page of a pull query.
type PullPage struct {
	ResponseRefID string
	Transactions  []PullTransaction
}

// PullTransactions lists the payments to the short code completed between
// from and to (whole seconds: to is rounded up), skipping the first offset
// (the query's OffSetValue): ask again with offset plus the rows received
// until a page comes back empty. Only the last 48 hours can be had.
func (c *Client) PullTransactions(ctx context.Context, from, to time.Time, offset int) (PullPage, error) {
	if offset < 0 || !from.Before(to) {
		return PullPage{}, fmt.Errorf("pull transactions: %w: want from before to and an offset of 0 or more", ErrInvalidRequest)
	}
	body := struct {
		ShortCode   string
		StartDate   string
		EndDate     string
		OffSetValue string
	}{c.ShortCode, from.In(EAT).Format(pullDateLayout), to.Add(time.Second - time.Nanosecond).In(EAT).Format(pullDateLayout), strconv.Itoa(offset)}
	f, err := c.callExpecting(ctx, "/pulltransactions/v1/query", body, expect{code: pullSuccess, limit: MaxPullBytes})
	if err != nil {
		return PullPage{}, fmt.Errorf("pull transactions from offset %d: %w", offset, err)
	}
	page, err := decodePullPage(f)
	if err != nil {
		return PullPage{}, fmt.Errorf("pull transactions from offset %d: %w", offset, err)
	}
	return page, nil
}

// decodePullPage reads a query reply. Daraja's documented reply nests the
// rows one level deeper than needed ("Response": [[{...}, ...]]); a flat
// list, an empty one and none at all are read too.
func decodePullPage(f fields) (PullPage, error) {
	page := PullPage{ResponseRefID: f.str("ResponseRefID")}
	var rows []any
	switch v := f.get("Response").(type) {
	case nil:
	case []any:
		for _, e := range v {
			if inner, ok := e.([]any); ok {
				rows = append(rows, inner...)
			} else {
				rows = append(rows, e)
			}
		}
	default:
		return page, fieldErr("Response", "must be an array, got %s", kind(v))
	}
	for i, r := range rows {
		t, err := decodePullRow(r, "Response["+strconv.Itoa(i)+"]")
		if err != nil {
			return page, err
		}
		page.Transactions = append(page.Transactions, t)
	}
	return page, nil
}

func decodePullRow(v any, at string) (PullTransaction, error) {
	o, err := asObject(v, at)
	if err != nil {
		return PullTransaction{}, err
	}
	var t PullTransaction
	id, err := requiredText(o.get("transactionId"), at+".transactionId")
	if err != nil {
		return t, err
	}
	if t.TransactionID = strings.ToUpper(id); !isReceipt(t.TransactionID) {
		return t, fieldErr(at+".transactionId", "not an M-Pesa receipt: %s", quote(id))
	}
	date, err := requiredText(o.get("trxDate"), at+".trxDate")
	if err != nil {
		return t, err
	}
	if t.Time, err = parsePullTime(date, at+".trxDate"); err != nil {
		return t, err
	}
	a, ok, err := amount(o.get("amount"), at+".amount")
	switch {
	case err != nil:
		return t, err
	case !ok:
		return t, missing(at + ".amount")
	case a <= 0:
		return t, fieldErr(at+".amount", "must be more than 0")
	}
	t.Amount = a
	payer, err := text(o.get("msisdn"), at+".msisdn")
	if err != nil {
		return t, err
	}
	t.MSISDN = strings.TrimSpace(payer)
	if n, err := phone.Normalize(t.MSISDN); err == nil {
		t.MSISDN = n
	}
	for _, s := range []struct {
		name string
		to   *string
	}{{"sender", &t.Sender}, {"transactiontype", &t.TransactionType}, {"billreference", &t.BillReference}, {"organizationname", &t.OrganizationName}} {
		if *s.to, err = text(o.get(s.name), at+"."+s.name); err != nil {
			return t, err
		}
		*s.to = strings.TrimSpace(*s.to)
	}
	return t, nil
}

// parsePullTime reads trxDate: an RFC 3339 time keeps its zone (Daraja's
// sample writes "2020-08-27T11:27:31Z"); one without a zone is EAT, like
// every other Daraja time.
func parsePullTime(s, field string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", pullDateLayout} {
		if t, err := time.ParseInLocation(layout, s, EAT); err == nil {
			return t.UTC(), nil
		}
	}
	return parseEAT(s, field)
}
