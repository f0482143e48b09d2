package mpesa

import (
	"errors"
	"strings"
	"testing"
)

// Amounts at the int64 edges, as a string or a bare number, in every
// Daraja body that carries one: each is refused with an error naming the
// field, never decoded to a wrapped-around amount.
func TestAmountBounds(t *testing.T) {
	t.Parallel()
	good := string(readSample(t, "c2b-confirmation-v1-hashed.json"))
	receipt := `{"Name":"MpesaReceiptNumber","Value":"SKO2AB3CD4"}`
	decoders := []struct {
		field  string
		decode func(amount string) error
	}{
		{"TransAmount", func(amount string) error {
			_, err := DecodeC2B(strings.NewReader(strings.Replace(good, `"500.00"`, amount, 1)))
			return err
		}},
		{"Item.Amount", func(amount string) error {
			_, err := DecodeSTKCallback(strings.NewReader(stkCallbackBody(`0`, `[{"Name":"Amount","Value":`+amount+`},`+receipt+`]`)))
			return err
		}},
		{"ResultParameter.Amount", func(amount string) error {
			_, err := DecodeStatusResult(strings.NewReader(statusBody(`0`, `[{"Key":"Amount","Value":`+amount+`}]`, ``)))
			return err
		}},
	}
	for _, amount := range []string{
		`9223372036854775807`, `"9223372036854775807"`, // MaxInt64
		`9223372036854775808`, `"9223372036854775808"`, // 2^63
		`-9223372036854775808`, `"-9223372036854775808"`, // MinInt64
		`4611686018427387904`, `"4611686018427388004"`, // 2^62, and 2^62+4 (×100 wraps to 10000)
		`92233720368547759`, `"92233720368547759.00"`, // MaxInt64/100 + 1
		`"92233720368547758.07"`, // MaxInt64 in cents
		`1e300`, `9.3e18`, `"18446744073709551616"`,
	} {
		for _, d := range decoders {
			err := d.decode(amount)
			if err == nil {
				t.Errorf("%s %s: decoded, want an error", d.field, amount)
				continue
			}
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), d.field) {
				t.Errorf("%s %s: %v; want a malformed-body error naming the field", d.field, amount, err)
			}
		}
	}
}
