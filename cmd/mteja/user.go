package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

const userUsage = `mteja user add USERNAME ROLE [-full-name NAME]   a staff account; prints a one-time set-up link
mteja user add USERNAME hub -hub HUB [-area AREA]  a care hub's attendant (the hub is made if new)
mteja user list                                   every account, its role and state
mteja user reset USERNAME                         a new set-up link (a lost phone or password)
mteja user disable USERNAME | enable USERNAME
roles: admin, finance, care, supervisor, auditor, hub; add -db and -data as for serve`

// runUser manages staff accounts from the command line; the first admin is
// made this way, the others in the console.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, userUsage)
	}
	verb, rest := args[0], args[1:]
	var pos []string
	fullName, hubName, area := "", "", ""
	var flags []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "-hub" || a == "--hub" || a == "-area" || a == "--area":
			if i+1 >= len(rest) {
				return fmt.Errorf("%w: %s needs a value", errUsage, a)
			}
			if strings.HasSuffix(a, "hub") {
				hubName = rest[i+1]
			} else {
				area = rest[i+1]
			}
			i++
		case a == "-full-name" || a == "--full-name":
			if i+1 >= len(rest) {
				return fmt.Errorf("%w: -full-name needs a value", errUsage)
			}
			fullName = rest[i+1]
			i++
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(rest) {
				flags = append(flags, rest[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	want := map[string]int{"add": 2, "list": 0, "reset": 1, "disable": 1, "enable": 1}
	n, ok := want[verb]
	if !ok || len(pos) != n {
		return fmt.Errorf("%w:\n%s", errUsage, userUsage)
	}
	cfg, err := parseConfig("user", flags, stderr)
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
	if _, err := app.LoadSecrets(ctx, db, &cfg); err != nil {
		return err
	}
	svc, err := staff.NewService(db, cfg.Utility, []byte(cfg.SealKey))
	if err != nil {
		return err
	}
	by := cliActor()
	switch verb {
	case "add":
		if !staff.ValidUserRole(pos[1]) {
			return fmt.Errorf("%w: %v", errUsage, staff.ErrBadRole)
		}
		if (pos[1] == staff.RoleHub) != (hubName != "") {
			return fmt.Errorf("%w: a hub attendant, and only one, names their hub with -hub", errUsage)
		}
		u, token, err := svc.CreateUser(ctx, pos[0], fullName, pos[1], by)
		if errors.Is(err, staff.ErrBadUsername) {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		if err != nil {
			return err
		}
		if hubName != "" {
			if err := attachToHub(ctx, db, u, hubName, area, stderr); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "%s\n", setupLink(cfg, token))
		fmt.Fprintf(stderr, "Staff account %s (%s). Give them this link, which works once within %s: they choose a password and enrol an authenticator app.\n",
			u.Username, u.Role, staff.SetupTTL)
	case "list":
		us, err := svc.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			fmt.Fprintf(stdout, "%-20s %-10s %-8s %s\n", u.Username, u.Role, u.Status, u.CreatedAt.Format("2006-01-02"))
		}
	default:
		u, err := byUsername(ctx, svc, pos[0])
		if err != nil {
			return err
		}
		switch verb {
		case "reset":
			token, err := svc.ResetUser(ctx, u.ID, by)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s\n", setupLink(cfg, token))
			fmt.Fprintf(stderr, "%s must set up again with this link; their sessions have ended.\n", u.Username)
		case "disable", "enable":
			if err := svc.SetStatus(ctx, u.ID, verb == "enable", by); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s %sd\n", u.Username, verb)
		}
	}
	return nil
}

func byUsername(ctx context.Context, svc *staff.Service, name string) (staff.User, error) {
	us, err := svc.Users(ctx)
	if err != nil {
		return staff.User{}, err
	}
	for _, u := range us {
		if u.Username == strings.ToLower(name) {
			return u, nil
		}
	}
	return staff.User{}, fmt.Errorf("no staff user %q ('mteja user list' lists them)", name)
}

// setupLink is the URL of a set-up token's page.
func setupLink(cfg config.Config, token string) string {
	base := cfg.PublicURL
	if base == "" {
		base = "http://" + cfg.Addr
	}
	return base + "/staff/setup/" + token
}
