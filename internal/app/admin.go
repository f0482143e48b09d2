package app

import (
	"context"
	"errors"
	"os"

	"github.com/mteja/mteja/internal/staff"
)

// bootstrapAdmin makes MTEJA_ADMIN_API_KEY the one bootstrap admin key,
// for the first steps on a new installation: when the variable changes the
// old key is revoked, and when it is unset, the last one is.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	revoked, err := staff.SetBootstrapKey(ctx, a.DB, a.Config.AdminKey)
	if errors.Is(err, staff.ErrRevoked) {
		// Most likely a node started with a value the others have since
		// replaced: it must not undo their change, nor stay down for it.
		a.Log.Warn("MTEJA_ADMIN_API_KEY holds a revoked key: it cannot authenticate and nothing was changed; set a new value", "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range revoked {
		a.Log.Info("revoked the previous MTEJA_ADMIN_API_KEY key", "id", k.ID)
	}
	return nil
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
