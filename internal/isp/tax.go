package isp

import (
	_ "embed"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/tariff"
)

// Plan prices include excise duty and VAT, as Kenyan ISPs advertise them to
// households. Excise duty on internet data services is charged on the
// price before VAT, and VAT on the price with the excise (today
// price = net × 1.15 × 1.16). The rates are dated as the Finance Acts set
// them; a purchase or an invoice is taxed at the rates in force on its day
// (EAT), its tax point. Wallet credit is a prepayment, not yet a supply: it
// is taxed when it buys a plan.
//
// The rates are configuration, not code: Mteja ships the published ones
// (tax_kenya.yaml, embedded), and an operator may give its own file with
// the same keys (MTEJA_TAX_FILE), read and checked at start.

//go:embed tax_kenya.yaml
var kenyaTaxes []byte

// A rate in basis points (1600 is 16%), from a day in EAT.
type datedRate struct {
	from string // YYYY-MM-DD
	bp   int64
}

// Taxes are the dated rates of VAT and of excise duty on internet data.
type Taxes struct {
	vat, excise []datedRate
}

var defaultTaxes = func() *Taxes {
	t, err := ParseTaxes(kenyaTaxes)
	if err != nil {
		panic("the shipped tax file: " + err.Error())
	}
	return t
}()

// DefaultTaxes returns the rates Mteja ships with (Kenya's, as published).
func DefaultTaxes() *Taxes { return defaultTaxes }

// LoadTaxes reads an operator's tax file; "" is the shipped rates.
func LoadTaxes(path string) (*Taxes, error) {
	if path == "" {
		return defaultTaxes, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tax file: %w", err)
	}
	t, err := ParseTaxes(b)
	if err != nil {
		return nil, fmt.Errorf("tax file %s: %w", path, err)
	}
	return t, nil
}

// taxFile is the file's shape. Unknown keys are refused: a misspelt key
// ("excise_on_data") would otherwise leave a tax out without a word.
type taxFile struct {
	Currency  string          `yaml:"currency"`
	VAT       []taxFileRate   `yaml:"vat"`
	Excise    []taxFileRate   `yaml:"excise_on_internet_data"`
	Threshold string          `yaml:"vat_registration_threshold_per_year"`
	ETIMS     *etimsFileFacts `yaml:"etims"`
}

type taxFileRate struct {
	From string `yaml:"from"`
	Rate string `yaml:"rate"` // a decimal read as text, never a float
}

// etimsFileFacts are the eTIMS facts the file records; Mteja's eTIMS
// fields follow them (see Signature).
type etimsFileFacts struct {
	Required    []string          `yaml:"required"`
	Optional    []string          `yaml:"optional"`
	MobileMoney string            `yaml:"payment_mode_mobile_money"`
	ReceiptType map[string]string `yaml:"receipt_type"`
	TaxType     map[string]string `yaml:"tax_type"`
}

// ParseTaxes reads a tax file and checks it: each list sorted by date,
// no day given twice, rates from 0 to 1 with at most four decimals, the
// currency KES, and no key it does not know. The error says what is wrong
// and where.
func ParseTaxes(b []byte) (*Taxes, error) {
	var f taxFile
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a tax file: %w", err)
	}
	if f.Currency != "KES" {
		return nil, fmt.Errorf("currency is %q; rates are for KES prices", f.Currency)
	}
	var t Taxes
	var err error
	if t.vat, err = parseRates("vat", f.VAT); err != nil {
		return nil, err
	}
	if t.excise, err = parseRates("excise_on_internet_data", f.Excise); err != nil {
		return nil, err
	}
	return &t, nil
}

func parseRates(key string, in []taxFileRate) ([]datedRate, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%s: no rates: give at least one, with from and rate", key)
	}
	out := make([]datedRate, 0, len(in))
	for i, r := range in {
		if _, err := time.Parse("2006-01-02", r.From); err != nil {
			return nil, fmt.Errorf("%s[%d]: from %q is not a day (YYYY-MM-DD)", key, i, r.From)
		}
		if i > 0 && r.From <= in[i-1].From {
			return nil, fmt.Errorf("%s[%d]: from %s is not after %s: list the rates in order of their days, each day once", key, i, r.From, in[i-1].From)
		}
		bp, err := basisPoints(r.Rate)
		if err != nil {
			return nil, fmt.Errorf("%s[%d] (from %s): %w", key, i, r.From, err)
		}
		out = append(out, datedRate{from: r.From, bp: bp})
	}
	return out, nil
}

// basisPoints reads a rate written as a decimal fraction ("0.16") as
// basis points (1600).
func basisPoints(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	if (whole != "0" && whole != "1") || len(frac) > 4 || strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("rate %q is not a decimal from 0 to 1 with at most four places (16%% is 0.16)", s)
	}
	frac += strings.Repeat("0", 4-len(frac))
	f, _ := strconv.ParseInt(frac, 10, 64)
	bp := f
	if whole == "1" {
		bp += 10_000
	}
	if bp > 10_000 {
		return 0, fmt.Errorf("rate %q is more than 1 (100%%)", s)
	}
	return bp, nil
}

// TaxRates are the rates in force on a day, in basis points.
type TaxRates struct {
	VAT, Excise int64
}

// RatesAt returns the shipped VAT and excise rates in force at t; 0
// before the first known rate.
func RatesAt(t time.Time) TaxRates { return defaultTaxes.RatesAt(t) }

// RatesAt returns the VAT and excise rates in force at t (its day in
// EAT); 0 before the first known rate.
func (tx *Taxes) RatesAt(t time.Time) TaxRates {
	day := t.In(tariff.Zone).Format("2006-01-02")
	return TaxRates{VAT: rateAt(tx.vat, day), Excise: rateAt(tx.excise, day)}
}

func rateAt(rates []datedRate, day string) int64 {
	var bp int64
	for _, r := range rates {
		if r.from <= day {
			bp = r.bp
		}
	}
	return bp
}

// Split is a price taken apart into what the ISP earns and the taxes in
// it. Net + Excise + VAT = Price exactly.
type Split struct {
	Price, Net, Excise, VAT money.Amount
	Rates                   TaxRates
}

// SplitPrice takes a tax-inclusive price apart at the shipped rates in
// force at t.
func SplitPrice(price money.Amount, at time.Time) Split { return defaultTaxes.Split(price, at) }

// Split takes a tax-inclusive price apart at the rates in force at t.
func (tx *Taxes) Split(price money.Amount, at time.Time) Split { return SplitAt(price, tx.RatesAt(at)) }

// SplitAt takes a tax-inclusive price apart at rates r. The one rounding
// point: the net is rounded to the cent (half up), the excise is rounded
// from it (half up), and VAT takes what is left, so the lines add up to
// the price and VAT is within a cent of its rate on net + excise.
func SplitAt(price money.Amount, r TaxRates) Split {
	den := (10_000 + r.Excise) * (10_000 + r.VAT)
	// Prices are bounded (MaxPrice), so price × 10^8 fits in an int64.
	net := (int64(price)*100_000_000 + den/2) / den
	excise := (net*r.Excise + 5_000) / 10_000
	return Split{Price: price, Net: money.Amount(net), Excise: money.Amount(excise), VAT: price - money.Amount(net) - money.Amount(excise), Rates: r}
}
