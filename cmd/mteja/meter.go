package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

const meterUsage = `mteja meter register DRN --sgc SGC --tariff ID [keys] [--area A] [--debt AMOUNT] (--customer ID | [--name N] --phones P1,P2 [--language en|sw])
       mteja meter edit DRN [--area A] [--tariff ID] [--phones P1,P2]
       mteja meter deactivate|reactivate DRN [--reason TEXT]
       mteja meter move DRN (--customer ID | [--name N] --phones P1,P2 [--language en|sw])
       mteja meter keychange DRN [keys]
       mteja meter swap OLD NEW [keys]
  keys: --sgc --ti --krn --kt --ken --base-date --algorithm --dkga; each command takes [-db DSN]`

// runMeter makes the changes of a meter's life, each audited under the
// name of whoever runs the command.
func runMeter(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, meterUsage)
	}
	sub, args := args[0], args[1:]
	f := newFlags("meter "+sub, stderr)
	var k keyFlags
	var o ownerFlags
	var area, tariffID, phones, reason, debt string
	var n int // the meter numbers the subcommand takes
	switch sub {
	case "register":
		n = 1
		k.define(f)
		o.define(f)
		f.StringVar(&tariffID, "tariff", "", "the meter's tariff `ID`")
		f.StringVar(&area, "area", "", "the meter's area, for outage notices")
		f.StringVar(&debt, "debt", "0", "arrears the meter arrives with, recovered from its purchases")
	case "edit":
		n = 1
		f.StringVar(&area, "area", "", "new area")
		f.StringVar(&tariffID, "tariff", "", "new tariff `ID`")
		f.StringVar(&phones, "phones", "", "the customer's phones, comma-separated, replacing theirs")
	case "deactivate", "reactivate":
		n = 1
		f.StringVar(&reason, "reason", "", "why, for the audit log")
	case "move":
		n = 1
		o.define(f)
	case "keychange":
		n = 1
		k.define(f)
	case "swap":
		n = 2
		k.define(f)
	default:
		return fmt.Errorf("%w: %s", errUsage, meterUsage)
	}
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != n {
		return fmt.Errorf("%w: %s", errUsage, meterUsage)
	}
	db, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	r := &customer.Registry{DB: db, Audit: payment.Audit}
	actor := cliActor()
	var m customer.Meter
	switch sub {
	case "register":
		d, err := money.Parse(debt)
		if err != nil {
			return fmt.Errorf("%w: --debt: %v", errUsage, err)
		}
		m, err = r.Register(ctx, actor, customer.Registration{DRN: pos[0], Keys: k.params(f), TariffID: tariffID, Area: area, Debt: d, Owner: o.owner()})
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, "registered ")
	case "edit":
		e := customer.Edit{Area: f.stringFlag("area", &area), TariffID: f.stringFlag("tariff", &tariffID)}
		if f.set["phones"] {
			ps := list(phones)
			e.Phones = &ps
		}
		if m, err = r.Edit(ctx, actor, pos[0], e); err != nil {
			return err
		}
		fmt.Fprint(stdout, "edited ")
	case "deactivate":
		if m, err = r.Deactivate(ctx, actor, pos[0], reason); err != nil {
			return err
		}
		fmt.Fprint(stdout, "deactivated (payments for it go to suspense) ")
	case "reactivate":
		if m, err = r.Reactivate(ctx, actor, pos[0], reason); err != nil {
			return err
		}
		fmt.Fprint(stdout, "reactivated ")
	case "move":
		if m, err = r.Move(ctx, actor, pos[0], o.owner()); err != nil {
			return err
		}
		fmt.Fprint(stdout, "moved ")
	case "keychange":
		pk, err := r.QueueKeyChange(ctx, actor, pos[0], k.params(f))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key change queued for meter %s: sgc %s ti %d krn %d kt %d ken %d base date %d DKGA%s (rollover %v); it goes with the next token sold\n",
			customer.NormalizeNumber(pos[0]), pk.SGC, pk.TI, pk.KRN, pk.KT, pk.KEN, pk.BaseDate, pk.DKGA, pk.Rollover)
		return nil
	case "swap":
		if m, err = r.Swap(ctx, actor, pos[0], pos[1], k.params(f)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "meter %s retired; in its place ", customer.NormalizeNumber(pos[0]))
	}
	return printMeter(ctx, stdout, db, m)
}

// printMeter shows a meter after a change.
func printMeter(ctx context.Context, w io.Writer, db *store.DB, m customer.Meter) error {
	fmt.Fprintf(w, "meter %s: %s, tariff %s, area %q, debt %s, keys sgc %s ti %d krn %d kt %d ken %d base date %d %s DKGA%s\n",
		m.DRN, m.Status, m.TariffID, m.Area, m.Debt, m.SGC, m.TI, m.KRN, m.KT, m.KEN, m.BaseDate, m.Algorithm, m.DKGA)
	if m.CustomerID == "" {
		return nil
	}
	c, err := customer.Get(ctx, db.Read(), m.CustomerID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "customer %s: %q, %s, phones %v\n", c.ID, c.Name, c.Language, c.Phones)
	return nil
}

// keyFlags are the key parameter flags; only those given are set.
type keyFlags struct {
	sgc, algorithm, dkga       string
	ti, krn, kt, ken, baseDate int
}

func (k *keyFlags) define(f *cmdFlags) {
	d := customer.DefaultKeys
	f.StringVar(&k.sgc, "sgc", "", "supply group code, 6 digits")
	f.IntVar(&k.ti, "ti", d.TI, "tariff index, 0-99")
	f.IntVar(&k.krn, "krn", d.KRN, "key revision number, 1-9")
	f.IntVar(&k.kt, "kt", d.KT, "key type: 0 initialisation, 1 default, 2 unique, 3 common")
	f.IntVar(&k.ken, "ken", d.KEN, "key expiry number, 255 for none")
	f.IntVar(&k.baseDate, "base-date", d.BaseDate, "TID base date: 1993, 2014 or 2035")
	f.StringVar(&k.algorithm, "algorithm", d.Algorithm, "EA07 or EA11")
	f.StringVar(&k.dkga, "dkga", d.DKGA, "decoder key generation algorithm: 02 or 04")
}

// params returns the key parameters given on the command line; the others
// stay (the registry fills them from the defaults, the meter or the old
// meter).
func (k *keyFlags) params(f *cmdFlags) customer.KeyParams {
	return customer.KeyParams{SGC: f.stringFlag("sgc", &k.sgc), TI: f.intFlag("ti", &k.ti), KRN: f.intFlag("krn", &k.krn),
		KT: f.intFlag("kt", &k.kt), KEN: f.intFlag("ken", &k.ken), BaseDate: f.intFlag("base-date", &k.baseDate),
		Algorithm: f.stringFlag("algorithm", &k.algorithm), DKGA: f.stringFlag("dkga", &k.dkga)}
}

// ownerFlags name an existing customer or describe a new one.
type ownerFlags struct {
	customer, name, phones, language string
}

func (o *ownerFlags) define(f *cmdFlags) {
	f.StringVar(&o.customer, "customer", "", "an existing customer's `ID`")
	f.StringVar(&o.name, "name", "", "a new customer's name")
	f.StringVar(&o.phones, "phones", "", "a new customer's phones, comma-separated; they receive the tokens")
	f.StringVar(&o.language, "language", "en", "a new customer's language: en or sw")
}

func (o *ownerFlags) owner() customer.Owner {
	if o.customer != "" {
		return customer.Owner{CustomerID: o.customer}
	}
	return customer.Owner{New: customer.Customer{Name: o.name, Language: o.language, Phones: list(o.phones)}}
}
