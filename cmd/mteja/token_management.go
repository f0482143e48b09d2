package main

import (
	"context"
	"flag"
	"io"
	"strconv"

	"github.com/mteja/mteja/internal/sts"
)

func tokenWattsFlag(fs *flag.FlagSet, kind sts.Subclass) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
	watts := fs.Int64("watts", -1, "limit in watts")
	return func() (sts.CreditRequest, *sts.ManagementRequest, error) {
		if !tokenFlagIsSet(fs, "watts") {
			return sts.CreditRequest{}, nil, tokenUsage("--watts is required")
		}
		if *watts < 0 || uint64(*watts) > sts.MaxAmountValue {
			return sts.CreditRequest{}, nil, tokenUsage("--watts %d: want 0-%d", *watts, sts.MaxAmountValue)
		}
		return sts.CreditRequest{}, &sts.ManagementRequest{Kind: kind, Watts: uint64(*watts)}, nil
	}
}

func tokenMPL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenStandard(ctx, "mpl", "mpl --watts N KEY FLAGS", args, stdout, stderr,
		func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
			return tokenWattsFlag(fs, sts.SetMaxPower)
		})
}

func tokenMPPUL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenStandard(ctx, "mppul", "mppul --watts N KEY FLAGS", args, stdout, stderr,
		func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
			return tokenWattsFlag(fs, sts.SetMaxPhaseUnbalance)
		})
}

func tokenClearCredit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenStandard(ctx, "clear-credit", "clear-credit [--register all] KEY FLAGS", args, stdout, stderr,
		func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
			reg := fs.String("register", "all", "register to clear: all, or 0-65535 (0 electricity)")
			return func() (sts.CreditRequest, *sts.ManagementRequest, error) {
				r := sts.AllRegisters
				if *reg != "all" {
					v, err := strconv.ParseUint(*reg, 10, 16)
					if err != nil {
						return sts.CreditRequest{}, nil, tokenUsage("--register %q: want all or 0-65535", *reg)
					}
					r = uint16(v)
				}
				return sts.CreditRequest{}, &sts.ManagementRequest{Kind: sts.ClearCredit, Register: r}, nil
			}
		})
}

func tokenClearTamper(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tokenStandard(ctx, "clear-tamper", "clear-tamper KEY FLAGS", args, stdout, stderr,
		func(fs *flag.FlagSet) func() (sts.CreditRequest, *sts.ManagementRequest, error) {
			return func() (sts.CreditRequest, *sts.ManagementRequest, error) {
				return sts.CreditRequest{}, &sts.ManagementRequest{Kind: sts.ClearTamper}, nil
			}
		})
}
