package app

import (
	"context"
	"os"

	"github.com/mteja/mteja/internal/staff"
)

// bootstrapAdmin stores MTEJA_ADMIN_API_KEY as an admin key, for the first
// steps on a new installation.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	if a.Config.AdminKey == "" {
		return nil
	}
	return staff.ImportAPIKey(ctx, a.DB, "admin", staff.RoleAdmin, a.Config.AdminKey)
}

// warnKeyFile warns when the vending key file can be read by others than
// its owner: whoever reads the vending key can make tokens for every meter.
func (a *App) warnKeyFile() {
	path := a.Config.VendingKeyFile
	if path == "" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		return // reading it fails with a clearer error
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		a.Log.Warn("the vending key file can be read by other users: whoever reads it can make tokens for every meter; chmod 600 it",
			"file", path, "mode", perm.String())
	}
}
