package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mteja/mteja/internal/sts"
)

// errTokenInvalid is returned after decode has explained a failed CRC.
var errTokenInvalid = errors.New("the token does not decode with this key (CRC check failed)")

func tokenDecode(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := tokenFlagSet("decode", "decode TOKEN --decoder-key HEX [--algorithm EA07] [--base-date 2014]\n"+
		"   or: mteja token decode TOKEN --meter DRN --sgc N --ti N --krn N ... (key from the vending key)", stderr)
	mf := addTokenMeterFlags(fs, "ti", "kt")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := tokenParseFlags(fs, args, 5) // a token typed in five groups arrives as five arguments
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return tokenUsage("give the token to decode: mteja token decode 1234-5678-9012-3456-7890 ...")
	}
	tok, err := sts.Parse(strings.Join(pos, " "))
	if err != nil {
		return tokenUsage("%v", err)
	}
	base, err := mf.base()
	if err != nil {
		return err
	}
	var key sts.DecoderKey
	if tok.Class() != sts.ClassTest || mf.decoderKey != "" || mf.meter != "" {
		s, err := mf.signer()
		if err != nil {
			return err
		}
		key = s.key
	}
	d, derr := sts.Decode(tok, key)
	r := tokenResult{Token: tok.String(), grouped: []string{"Token     " + tok.Grouped()}, CRCOK: tokenPtr(d.CRCOK)}
	r.Class, r.Subclass, r.Kind = uint8(d.Class), uint8(d.Subclass), sts.Describe(d.Class, d.Subclass)
	switch {
	case errors.Is(derr, sts.ErrCRC):
		r.Kind = ""
		r.Problem = "CRC check failed: the token was made for another meter or another key (wrong meter number, or the meter's key has changed since), or a digit was mistyped"
		r.details = []string{
			"Valid     NO: the CRC check failed, so the meter shows this token as invalid.",
			"Why       It was made for another meter or another key (wrong meter number, or the meter's",
			"          key has changed since), or a digit was mistyped.",
			"Next      Check the meter number and all 20 digits with the customer. If both are right,",
			"          issue the token again for this meter.",
		}
		if err := r.print(stdout, *asJSON); err != nil {
			return err
		}
		return errTokenInvalid
	case derr != nil:
		r.Problem = derr.Error()
		r.details = []string{"Valid     NO: " + derr.Error()}
		if err := r.print(stdout, *asJSON); err != nil {
			return err
		}
		return derr
	}
	valid := "yes: the CRC matches this meter's key"
	if d.Class == sts.ClassTest {
		valid = "yes: test tokens are not meter-specific, any meter accepts them"
	}
	r.details = append(r.details,
		"Valid     "+valid,
		fmt.Sprintf("Kind      %s (class %d, subclass %d)", r.Kind, d.Class, d.Subclass))
	hasTID := true
	switch {
	case d.Class == sts.ClassCredit:
		r.Tenths, r.Units = tokenPtr(d.Amount.Value()), sts.FormatTenths(d.Amount.Value())
		r.details = append(r.details, "Amount    "+sts.FormatTenths(d.Amount.Value())+" "+tokenUnitName(d.Subclass))
	case d.Class == sts.ClassTest:
		hasTID = false
		r.Control, r.Mfr = fmt.Sprintf("0x%X", d.Control), tokenPtr(d.Manufacturer)
		r.details = append(r.details, fmt.Sprintf("Test      control 0x%X, manufacturer code %d", d.Control, d.Manufacturer))
	case d.Subclass == sts.SetMaxPower || d.Subclass == sts.SetMaxPhaseUnbalance:
		r.Watts = tokenPtr(d.Amount.Value())
		r.details = append(r.details, fmt.Sprintf("Limit     %d W", d.Amount.Value()))
	case d.Subclass == sts.ClearCredit:
		r.Register = tokenPtr(d.Register)
		r.details = append(r.details, "Clears    "+tokenRegisterWords(d.Register))
	case d.Subclass == sts.SetKey1:
		hasTID = false
		r.KRN, r.KeyType, r.Rollover = tokenPtr(d.KRN), tokenPtr(d.KT), tokenPtr(d.Rollover)
		r.details = append(r.details, fmt.Sprintf("New key   KRN %d, key type %d, rollover %s, KEN high nibble %d; enter the 2nd section next",
			d.KRN, d.KT, tokenYesNo(d.Rollover), d.KENHalf))
	case d.Subclass == sts.SetKey2:
		hasTID = false
		r.TI = tokenPtr(d.TI)
		r.details = append(r.details, fmt.Sprintf("New key   tariff index %02d, KEN low nibble %d; enter after the 1st section", d.TI, d.KENHalf))
	}
	if hasTID {
		r.setIssue(d.TID, base, d.RND)
		r.details = append(r.details,
			"Issued    "+strings.TrimPrefix(tokenIssuedWords(d.TID, base), "issued "),
			"Note      The meter still refuses it if it has already accepted this token or a later one.")
	}
	return r.print(stdout, *asJSON)
}
