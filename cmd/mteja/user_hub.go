package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mteja/mteja/internal/hub"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
)

// attachToHub makes u an attendant of the hub named name, making the hub
// (in area) when there is none of that name yet.
func attachToHub(ctx context.Context, db *store.DB, u staff.User, name, area string, stderr io.Writer) error {
	h, err := hub.ByName(ctx, db, name)
	if errors.Is(err, store.ErrNotFound) {
		if h, err = hub.Create(ctx, db, name, area); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Hub %q made (area %q).\n", h.Name, h.Area)
	}
	if err != nil {
		return err
	}
	if err := hub.Attach(ctx, db, u.ID, h.ID); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		return payment.Audit(tx, cliActor(), "hub.attach", u.Username, h.Name)
	})
}
