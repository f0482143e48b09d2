package main

import (
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app/apptest"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
	"github.com/mteja/mteja/internal/sts"
)

// A new utility sets itself up with the CLI alone, on a fresh database:
// it imports its tariff file and its meters (a CSV, and one registered by
// hand), then the server sells each meter its first token over M-Pesa
// (the Daraja simulator), priced with the utility's tariff, sent by SMS to
// the customer's phone and accepted by the meter. Nothing of the demo's is
// in the database.
func TestNewUtilityStory(t *testing.T) {
	clearEnv(t)
	apptest.Engines(t, func(t *testing.T, d store.Dialect) {
		dsn := storetest.DSN(t, d)
		fromCSV, byHand := drn(t, 31), drn(t, 32)
		steps := [][]string{
			{"tariff", "import", sampleTariff},
			{"import", "meters", writeCSV(t, "meter,name,phones,language,sgc,tariff,area",
				fromCSV+",Grace Achieng,0712000111,sw,123456,kenya-domestic-sample,Kisumu")},
			{"meter", "register", byHand, "--sgc", "123456", "--tariff", "kenya-domestic-sample", "--name", "Peter Otieno", "--phones", "0722000222"},
		}
		for _, args := range steps {
			if code, stdout, stderr := runCmd(t, append(args, "-db", dsn)...); code != 0 {
				t.Fatalf("mteja %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
			}
		}

		a := apptest.Start(t, apptest.Options{DB: dsn, Dialect: d, NoSeed: true})
		if n := a.Count(`SELECT count(*) FROM meters`); n != 2 {
			t.Fatalf("%d meters; want the utility's 2", n)
		}
		for _, c := range []struct{ meter, phone string }{{fromCSV, "254712000111"}, {byHand, "254722000222"}} {
			receipt := a.PayBill(c.phone, c.meter, 500)
			a.WaitPayment(receipt, payment.Applied)
			v := a.VendOf(receipt)
			if v.TariffID != "kenya-domestic-sample" || v.TariffVersion != "2023-04-01" || v.Units() != "23.83" || len(v.Tokens) != 1 {
				t.Errorf("meter %s: vend %+v; want 23.83 kWh under kenya-domestic-sample from 2023-04-01", c.meter, v)
			}
			tok := v.Tokens[0]
			a.WaitSMS(c.phone, tok.Grouped())
			dec, err := a.Decode(c.meter, tok.Digits)
			if err != nil || !dec.CRCOK || dec.Class != sts.ClassCredit || int64(dec.TID) != tok.TID || int64(dec.Amount.Value()) != v.Tenths {
				t.Errorf("meter %s does not accept its token: %+v, %v", c.meter, dec, err)
			}
		}
	})
}
