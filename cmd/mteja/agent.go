package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

const agentUsage = `mteja agent outlet CODE NAME [-credit-limit KES] [-share BP] [-fixed KES] [-tariff ID]
                                an agent outlet (float top-ups: Paybill account AGENT+CODE) and its commission
                                (a share in basis points and/or a fixed amount a sale; -tariff for one tariff's rule)
mteja agent commission CODE [-share BP] [-fixed KES] [-tariff ID]   set an outlet's commission rule
mteja agent user CODE PHONE NAME   an agent user of the outlet; prints a new PIN once
mteja agent pin PHONE              a new PIN for an agent user (lifts a lock-out); prints it once
mteja agent list                   outlets, float, credit limit and what each may still sell
add -db and -data as for serve`

// runAgent sets up agent outlets and their users from the command line.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, agentUsage)
	}
	verb, rest := args[0], args[1:]
	var limit, share, fixed, tariffID string
	pos, flags, err := splitArgs(rest, map[string]*string{"credit-limit": &limit, "share": &share, "fixed": &fixed, "tariff": &tariffID})
	if err != nil {
		return err
	}
	want := map[string]int{"outlet": 2, "commission": 1, "user": 3, "pin": 1, "list": 0}
	if n, ok := want[verb]; !ok || len(pos) != n {
		return fmt.Errorf("%w:\n%s", errUsage, agentUsage)
	}
	creditLimit, rule, err := agentOptions(limit, share, fixed, tariffID)
	if err != nil {
		return err
	}
	cfg, err := parseConfig("agent", flags, stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	svc, by := &agent.Service{DB: db}, cliActor()
	switch verb {
	case "outlet":
		o, err := svc.CreateOutlet(ctx, by, pos[0], pos[1], creditLimit)
		if err != nil {
			return agentError(err)
		}
		if err := svc.SetRule(ctx, by, o.ID, rule); err != nil {
			return agentError(err)
		}
		fmt.Fprintf(stdout, "outlet %s %q: credit limit %s; top up its float by Paybill %s, account AGENT%s\n",
			o.Code, o.Name, o.CreditLimit, cfg.DarajaShortCode(), o.Code)
	case "commission":
		o, err := agent.OutletByCode(ctx, db.Read(), pos[0])
		if err != nil {
			return err
		}
		if err := svc.SetRule(ctx, by, o.ID, rule); err != nil {
			return agentError(err)
		}
		fmt.Fprintf(stdout, "outlet %s: commission %d bp + %s a sale (tariff %q)\n", o.Code, rule.ShareBP, rule.Fixed, rule.TariffID)
	case "user":
		o, err := agent.OutletByCode(ctx, db.Read(), pos[0])
		if err != nil {
			return err
		}
		pin, err := agent.NewPIN()
		if err != nil {
			return err
		}
		u, err := svc.CreateUser(ctx, by, o.ID, pos[2], pos[1], pin)
		if err != nil {
			return agentError(err)
		}
		fmt.Fprintf(stdout, "%s\n", pin)
		fmt.Fprintf(stderr, "Agent user %s of outlet %s, phone %s. Tell them this PIN once: they dial the USSD code and choose 9, or sign in at /agent/.\n",
			u.Name, o.Code, u.MSISDN)
	case "pin":
		pin, err := agent.NewPIN()
		if err != nil {
			return err
		}
		if err := svc.ResetPIN(ctx, by, pos[0], pin); err != nil {
			return agentError(err)
		}
		fmt.Fprintf(stdout, "%s\n", pin)
	case "list":
		os, err := agent.Outlets(ctx, db.Read())
		if err != nil {
			return err
		}
		for _, o := range os {
			fmt.Fprintf(stdout, "%-8s %-30s float %12s  credit limit %12s  may sell %12s  %s\n", o.Code, o.Name, o.Float, o.CreditLimit, o.Available(), o.Status)
		}
	}
	return nil
}

// agentOptions reads the credit limit and commission options ("" for
// none given).
func agentOptions(limit, share, fixed, tariffID string) (money.Amount, agent.Rule, error) {
	var creditLimit money.Amount
	rule := agent.Rule{TariffID: tariffID}
	var err error
	if limit != "" {
		if creditLimit, err = money.Parse(limit); err != nil {
			return 0, rule, fmt.Errorf("%w: -credit-limit: %v", errUsage, err)
		}
	}
	if fixed != "" {
		if rule.Fixed, err = money.Parse(fixed); err != nil {
			return 0, rule, fmt.Errorf("%w: -fixed: %v", errUsage, err)
		}
	}
	if share != "" {
		if rule.ShareBP, err = strconv.ParseInt(share, 10, 64); err != nil {
			return 0, rule, fmt.Errorf("%w: -share: basis points, e.g. 150 for 1.5%%", errUsage)
		}
	}
	return creditLimit, rule, nil
}

// agentError makes a refused set-up a usage error (exit 2).
func agentError(err error) error {
	if errors.Is(err, agent.ErrInvalid) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}
