package sts_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/sts"
)

// A credit token for 25.6 kWh, made from the vending key and the meter's
// parameters, then read back with the meter's decoder key.
func Example() {
	vk, err := sts.ParseVendingKey("ABABABABABABABAB")
	if err != nil {
		panic(err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		panic(err)
	}
	drn, err := sts.ParseDRN("0000 0000 000")
	if err != nil {
		panic(err)
	}
	meter := sts.Meter{
		DRN: drn, SGC: 123456, TI: 1, KRN: 1, KT: 2, KEN: sts.NoKeyExpiry,
		BaseDate: sts.Base1993, Algorithm: sts.EA07, DKGA: sts.DKGA02,
	}
	tid, err := meter.BaseDate.TID(time.Date(2004, 4, 1, 0, 30, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	tok, err := gen.Credit(context.Background(), meter, sts.CreditRequest{
		Kind: sts.Electricity, Tenths: 256, TID: tid, RND: 5,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Grouped())

	key, err := gen.DecoderKey(meter)
	if err != nil {
		panic(err)
	}
	d, err := sts.Decode(tok, key)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, %d tenths of a kWh, issued %s, CRC ok %t\n",
		sts.Describe(d.Class, d.Subclass), d.Amount.Value(), d.TID.Time(meter.BaseDate).Format("2006-01-02 15:04"), d.CRCOK)
	fmt.Println(vk) // keys never print
	// Output:
	// 2645 6622 0121 8585 0752
	// electricity credit, 256 tenths of a kWh, issued 2004-04-01 00:30, CRC ok true
	// VendingKey([redacted])
}
