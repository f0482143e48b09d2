package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/mteja/mteja/internal/sts"
)

// tokenStandard runs the subcommands whose token is rnd, TID and one value.
func tokenStandard(ctx context.Context, name, about string, args []string, stdout, stderr io.Writer,
	addFlags func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error)) error {
	fs := tokenFlagSet(name, about, stderr)
	mf := addTokenMeterFlags(fs, "ti", "kt")
	inf := addTokenIssueFlags(fs)
	build := addFlags(fs)
	if _, err := tokenParseFlags(fs, args, 0); err != nil {
		return err
	}
	s, err := mf.signer()
	if err != nil {
		return err
	}
	tid, rnd, err := inf.tidAndRND(s.base)
	if err != nil {
		return err
	}
	creq, mreq, err := build()
	if err != nil {
		return err
	}
	var r tokenResult
	var tok sts.Token
	var f sts.Fields
	if mreq == nil {
		creq.TID, creq.RND = tid, rnd
		if f, err = creq.Fields(); err != nil {
			return tokenUsage("%v", err)
		}
		tok, err = s.credit(ctx, creq)
	} else {
		mreq.TID, mreq.RND = tid, rnd
		if f, err = mreq.Fields(); err != nil {
			return tokenUsage("%v", err)
		}
		tok, err = s.management(ctx, *mreq)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r.setToken(tok, f)
	r.setIssue(tid, s.base, rnd)
	if s.gen != nil {
		r.Meter = string(s.meter.DRN)
	}
	line := r.Kind
	switch {
	case mreq == nil:
		carried := f.Amount.Value()
		r.Tenths, r.Units = tokenPtr(carried), sts.FormatTenths(carried)
		line += ": " + sts.FormatTenths(carried) + " " + tokenUnitName(f.Subclass)
		if carried != creq.Tenths {
			line += fmt.Sprintf(" (%s asked, rounded up to what a token can carry)", sts.FormatTenths(creq.Tenths))
		}
	case mreq.Kind == sts.SetMaxPower || mreq.Kind == sts.SetMaxPhaseUnbalance:
		carried := f.Amount.Value()
		r.Watts = tokenPtr(carried)
		line += fmt.Sprintf(": %d W", carried)
		if carried != mreq.Watts {
			line += fmt.Sprintf(" (%d W asked, rounded up to what a token can carry)", mreq.Watts)
		}
	case mreq.Kind == sts.ClearCredit:
		r.Register = tokenPtr(f.Register)
		line += ": " + tokenRegisterWords(f.Register)
	}
	if r.Meter != "" {
		line += ", meter " + s.meter.DRN.Grouped()
	}
	r.details = []string{line, fmt.Sprintf("%s, random %d", tokenIssuedWords(tid, s.base), rnd)}
	return r.print(stdout, inf.json)
}

func tokenCredit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenStandard(ctx, "credit", "credit --units 25.6 [--subclass electricity] KEY FLAGS", args, stdout, stderr,
		func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
			sub := fs.String("subclass", "electricity", "electricity, water, gas, time (or 0-3)")
			units := fs.String("units", "", "amount in units (kWh for electricity), one decimal at most: 25.6")
			tenths := fs.String("tenths", "", "amount in tenths of a unit: 256 (instead of --units)")
			return func() (sts.CreditRequest, *sts.ManagementRequest, error) {
				kind, err := sts.ParseCreditKind(*sub)
				if err != nil {
					return sts.CreditRequest{}, nil, tokenUsage("--subclass: %v", err)
				}
				var t uint64
				switch {
				case *units != "" && *tenths != "":
					return sts.CreditRequest{}, nil, tokenUsage("--units and --tenths are exclusive")
				case *units != "":
					if t, err = sts.ParseTenths(*units); err != nil {
						err = tokenUsage("--units: %v", err)
					}
				case *tenths != "":
					if t, err = strconv.ParseUint(*tenths, 10, 64); err != nil {
						err = tokenUsage("--tenths %q: want a whole number of tenths, like 256", *tenths)
					}
				default:
					err = tokenUsage("give the amount: --units 25.6 or --tenths 256")
				}
				if err == nil && t > sts.MaxAmountValue {
					err = tokenUsage("amount %s: above the largest a token carries (%s)", sts.FormatTenths(t), sts.FormatTenths(sts.MaxAmountValue))
				}
				return sts.CreditRequest{Kind: kind, Tenths: t}, nil, err
			}
		})
}
