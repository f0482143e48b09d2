package app

import (
	"context"
	"fmt"

	"github.com/mteja/mteja/internal/care"
)

// demoMacros are saved replies a new utility starts with, for care to
// edit: the answers most tickets need.
var demoMacros = []care.Macro{
	{Name: "Crew on the way", EN: "A crew is on the way to your area. We will tell you when power is back.",
		SW: "Mafundi wako njiani kuja eneo lako. Tutakujulisha umeme ukirudi."},
	{Name: "Type the token again", EN: "Please type the 20-digit token again slowly, then press Enter. If the meter still rejects it, reply with what it shows.",
		SW: "Tafadhali ingiza tokeni ya tarakimu 20 tena polepole, kisha bonyeza Enter. Mita ikiikataa tena, jibu na inachoonyesha."},
}

// seedCare gives a database without saved replies the demo's.
func (a *App) seedCare(ctx context.Context) error {
	ms, err := care.Macros(ctx, a.DB.Read())
	if err != nil || len(ms) > 0 {
		return err
	}
	for _, m := range demoMacros {
		if _, err := care.SaveMacro(ctx, a.DB, m, "seed"); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	return nil
}
