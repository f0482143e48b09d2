package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/sts"
)

func tokenTest(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := tokenFlagSet("test", "test --control HEX [--subclass 0|1] [--mfr N]", stderr)
	sub := fs.Int("subclass", 0, "0: 36 control bits and an 8-bit manufacturer code; 1: 28 control bits and a 16-bit code")
	control := fs.String("control", "", "control bits in hex: which tests or displays the meter runs (see its manual)")
	mfr := fs.Int("mfr", 0, "manufacturer code (0-255 for subclass 0, 0-65535 for subclass 1)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := tokenParseFlags(fs, args, 0); err != nil {
		return err
	}
	bits, mfrMax := 36, 255
	switch *sub {
	case 0:
	case 1:
		bits, mfrMax = 28, 65535
	default:
		return tokenUsage("--subclass %d: want 0 or 1", *sub)
	}
	if *control == "" {
		return tokenUsage("--control is required")
	}
	c, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(*control), "0x"), 16, 64)
	if err != nil || c >= 1<<bits {
		return tokenUsage("--control %q: want at most %d bits in hex", *control, bits)
	}
	if *mfr < 0 || *mfr > mfrMax {
		return tokenUsage("--mfr %d: want 0-%d for subclass %d", *mfr, mfrMax, *sub)
	}
	f := sts.Fields{Class: sts.ClassTest, Subclass: sts.Subclass(*sub), Control: c, Manufacturer: uint16(*mfr)}
	tok, err := sts.Issue(f, sts.DecoderKey{})
	if err != nil {
		return tokenUsage("%v", err)
	}
	var r tokenResult
	r.setToken(tok, f)
	r.Control, r.Mfr = fmt.Sprintf("0x%X", c), tokenPtr(uint16(*mfr))
	r.details = []string{fmt.Sprintf("meter test: control 0x%X, manufacturer code %d; not meter-specific, any meter accepts it", c, *mfr)}
	return r.print(stdout, *asJSON)
}
