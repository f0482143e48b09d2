package isp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/isp"
)

// The shipped file is read at start; an operator's file is checked the
// same way, and a wrong one is refused with what is wrong.
func TestParseTaxes(t *testing.T) {
	good := "currency: KES\nvat:\n  - {from: 2021-01-01, rate: 0.16}\nexcise_on_internet_data:\n  - {from: 2018-07-01, rate: 0.15}\n  - {from: 2027-07-01, rate: 0.2}\n"
	tx, err := isp.ParseTaxes([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if r := tx.RatesAt(eat(2027, 7, 1, 0, 0)); r.VAT != 1600 || r.Excise != 2000 {
		t.Errorf("rates on 1 July 2027: %+v", r)
	}
	if r := tx.RatesAt(eat(2027, 6, 30, 23, 59)); r.Excise != 1500 {
		t.Errorf("rates on 30 June 2027: %+v", r)
	}
	for _, c := range []struct{ name, file, want string }{
		{"unknown key", good + "excise_on_data:\n  - {from: 2020-01-01, rate: 0.1}\n", "excise_on_data"},
		{"unknown key in a rate", strings.Replace(good, "rate: 0.16", "rate: 0.16, to: 2030-01-01", 1), "field to not found"},
		{"unsorted", strings.Replace(good, "2027-07-01", "2017-07-01", 1), "not after 2018-07-01"},
		{"overlapping", strings.Replace(good, "2027-07-01", "2018-07-01", 1), "not after 2018-07-01"},
		{"above one", strings.Replace(good, "rate: 0.16", "rate: 1.6", 1), "more than 1"},
		{"percent", strings.Replace(good, "rate: 0.16", "rate: 16", 1), "not a decimal from 0 to 1"},
		{"negative", strings.Replace(good, "rate: 0.16", "rate: -0.16", 1), "not a decimal from 0 to 1"},
		{"too precise", strings.Replace(good, "rate: 0.16", "rate: 0.160001", 1), "at most four places"},
		{"not a day", strings.Replace(good, "2021-01-01", "1 Jan 2021", 1), "is not a day"},
		{"no vat", "currency: KES\nexcise_on_internet_data:\n  - {from: 2018-07-01, rate: 0.15}\n", "vat: no rates"},
		{"currency", strings.Replace(good, "KES", "UGX", 1), "currency"},
	} {
		_, err := isp.ParseTaxes([]byte(c.file))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
	path := filepath.Join(t.TempDir(), "tax.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(good, "rate: 0.16", "rate: 1.01", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := isp.LoadTaxes(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a bad file: %v, want an error naming it", err)
	}
	if tx, err := isp.LoadTaxes(""); err != nil || tx != isp.DefaultTaxes() {
		t.Errorf("no file: %v, want the shipped rates", err)
	}
}
