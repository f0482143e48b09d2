package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/app"
)

// serve refuses to start on a tax file that is wrong, and says what is
// wrong and where.
func TestServeRefusesBadTaxFile(t *testing.T) {
	clearEnv(t)
	t.Setenv("MTEJA_VENDING_KEY", app.DemoVendingKey)
	t.Setenv("MTEJA_DARAJA_ALLOW", "127.0.0.0/8")
	path := filepath.Join(t.TempDir(), "tax.yaml")
	file := "currency: KES\nvat:\n  - {from: 2021-01-01, rate: 0.16}\n  - {from: 2020-04-01, rate: 0.14}\nexcise_on_internet_data:\n  - {from: 2018-07-01, rate: 0.15}\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-tax-file", path}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "-tax-file") || !strings.Contains(errOut.String(), "vat[1]: from 2020-04-01 is not after 2021-01-01") {
		t.Errorf("serve on a bad tax file: exit %d\n%s", code, &errOut)
	}
}
