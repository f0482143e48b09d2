package main

import (
	"context"
	"fmt"
	"io"

	"github.com/mteja/mteja/internal/sts"
)

func tokenKeyChange(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := tokenFlagSet("key-change", "key-change --decoder-key CURRENT --new-decoder-key NEW --krn N --key-type N --tariff-index N [--ken 255] [--rollover]\n"+
		"   or: mteja token key-change --meter DRN --sgc N --krn N --key-type N --tariff-index N [--current-krn N ...] (keys from the vending key)\n\n"+
		"--sgc, --krn, --key-type, --tariff-index, --ken and --base-date describe the NEW key, which the tokens carry;\n"+
		"the --current-* flags describe the key the meter holds now (each defaults to the new value)", stderr)
	mf := addTokenMeterFlags(fs, "tariff-index", "key-type")
	newKeyHex := fs.String("new-decoder-key", "", "the new decoder key in hex (default: derived from the vending key)")
	curSGC := fs.String("current-sgc", "", "current supply group code (default --sgc)")
	curTI := fs.Int("current-tariff-index", 0, "current tariff index (default --tariff-index)")
	curKRN := fs.Int("current-krn", 0, "current key revision number (default --krn)")
	curKT := fs.Int("current-key-type", 0, "current key type (default --key-type)")
	curBase := fs.String("current-base-date", "", "current base date (default --base-date); a change sets --rollover")
	rollover := fs.Bool("rollover", false, "make the meter clear its TID memory (base date change)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := tokenParseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := mf.checkRanges("(the new key's value)"); err != nil {
		return err
	}
	kc := sts.KeyChange{KEN: uint8(mf.ken), KRN: uint8(mf.krn), KT: uint8(mf.kt), TI: uint8(mf.ti), Rollover: *rollover}

	var cur, next sts.DecoderKey
	var err error
	var meter string
	if mf.decoderKey != "" {
		if cur, err = mf.parseDecoderKey("decoder-key", mf.decoderKey); err != nil {
			return err
		}
	}
	if *newKeyHex != "" {
		if next, err = mf.parseDecoderKey("new-decoder-key", *newKeyHex); err != nil {
			return err
		}
	}
	if cur.IsZero() || next.IsZero() {
		vk, err := mf.vendingKey()
		if err != nil {
			return err
		}
		newMeter, err := mf.meterParams()
		if err != nil {
			return err
		}
		old := newMeter
		if *curSGC != "" {
			if old.SGC, err = tokenParseSGC("--current-sgc", *curSGC); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			tokenIntFlag
			dst *uint8
		}{
			{tokenIntFlag{"current-tariff-index", *curTI, 0, 99, false}, &old.TI},
			{tokenIntFlag{"current-krn", *curKRN, 1, 9, false}, &old.KRN},
			{tokenIntFlag{"current-key-type", *curKT, 0, 3, false}, &old.KT},
		} {
			if !tokenFlagIsSet(fs, c.name) {
				continue
			}
			if err := c.check(); err != nil {
				return err
			}
			*c.dst = uint8(c.v)
		}
		if *curBase != "" {
			if old.BaseDate, err = sts.ParseBaseDate(*curBase); err != nil {
				return tokenUsage("--current-base-date %q: want 1993, 2014 or 2035", *curBase)
			}
		}
		kc.Rollover = kc.Rollover || old.BaseDate != newMeter.BaseDate
		gen, err := sts.NewSoftwareGenerator(vk)
		if err != nil {
			return tokenUsage("vending key: %v", err)
		}
		if cur.IsZero() {
			if cur, err = gen.DecoderKey(old); err != nil {
				return tokenUsage("current key: %v", err)
			}
		}
		if next.IsZero() {
			if next, err = gen.DecoderKey(newMeter); err != nil {
				return tokenUsage("new key: %v", err)
			}
		}
		meter = string(newMeter.DRN)
	}
	ts, err := sts.KeyChangeTokens(cur, next, kc)
	if err != nil {
		return tokenUsage("%v", err)
	}
	r := tokenResult{
		Tokens: []string{ts[0].String(), ts[1].String()}, grouped: []string{"1st  " + ts[0].Grouped(), "2nd  " + ts[1].Grouped()},
		Kind: "key change", Class: uint8(sts.ClassManagement), Subclass: uint8(sts.SetKey1), Meter: meter,
		KEN: tokenPtr(kc.KEN), KRN: tokenPtr(kc.KRN), KeyType: tokenPtr(kc.KT), TI: tokenPtr(kc.TI), Rollover: tokenPtr(kc.Rollover),
	}
	r.details = []string{
		"Enter both tokens, 1st then 2nd. Afterwards the meter accepts only tokens made with the new key.",
		fmt.Sprintf("New key: KRN %d, key type %d, tariff index %02d, KEN %d, rollover %s.", kc.KRN, kc.KT, kc.TI, kc.KEN, tokenYesNo(kc.Rollover)),
	}
	return r.print(stdout, *asJSON)
}
