package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mteja/mteja/internal/sts"
)

// tokenMeterFlags describe a meter's key: either the decoder key itself or the
// vending key with the parameters it is derived from.
type tokenMeterFlags struct {
	fs                        *flag.FlagSet
	vkFile, decoderKey, meter string
	sgc, baseDate, alg, dkga  string
	ti, krn, kt, ken          int
	tiName, ktName            string
}

func addTokenMeterFlags(fs *flag.FlagSet, tiName, ktName string) *tokenMeterFlags {
	f := &tokenMeterFlags{fs: fs, tiName: tiName, ktName: ktName}
	fs.StringVar(&f.decoderKey, "decoder-key", "", "the meter's decoder key in hex (instead of a vending key and meter parameters)")
	fs.StringVar(&f.vkFile, "vending-key-file", "", "file holding the vending key in hex (or set $"+vendingKeyEnv+")")
	fs.StringVar(&f.meter, "meter", "", "meter number (DRN), 11 or 13 digits")
	fs.StringVar(&f.sgc, "sgc", "", "supply group code, 6 digits")
	fs.IntVar(&f.ti, tiName, 0, "tariff index, 0-99 (required with a vending key)")
	fs.IntVar(&f.krn, "krn", 0, "key revision number, 1-9 (required with a vending key)")
	fs.IntVar(&f.kt, ktName, 2, "key type: 0 initialisation, 1 default, 2 unique, 3 common")
	fs.IntVar(&f.ken, "ken", 255, "key expiry number, 0-255 (255: none)")
	fs.StringVar(&f.baseDate, "base-date", "2014", "TID base date: 1993, 2014 or 2035")
	fs.StringVar(&f.alg, "algorithm", "EA07", "encryption: EA07 (STA) or EA11 (MISTY1)")
	fs.StringVar(&f.dkga, "dkga", "02", "decoder key generation algorithm: 02 or 04")
	return f
}

func (f *tokenMeterFlags) base() (sts.BaseDate, error) {
	b, err := sts.ParseBaseDate(f.baseDate)
	if err != nil {
		return 0, tokenUsage("--base-date %q: want 1993, 2014 or 2035", f.baseDate)
	}
	return b, nil
}

func (f *tokenMeterFlags) algorithm() (sts.Algorithm, error) {
	a, err := sts.ParseAlgorithm(f.alg)
	if err != nil {
		return 0, tokenUsage("--algorithm %q: want EA07 or EA11", f.alg)
	}
	return a, nil
}

// vendingKey reads the key from the file or the environment. Errors never
// carry the key's text.
func (f *tokenMeterFlags) vendingKey() (sts.VendingKey, error) {
	src, text := "$"+vendingKeyEnv, os.Getenv(vendingKeyEnv)
	if f.vkFile != "" {
		b, err := os.ReadFile(f.vkFile)
		if err != nil {
			return sts.VendingKey{}, tokenUsage("--vending-key-file: %v", err)
		}
		src, text = "--vending-key-file "+f.vkFile, string(b)
	}
	if strings.TrimSpace(text) == "" {
		return sts.VendingKey{}, tokenUsage("no key: give --decoder-key HEX, or a vending key (--vending-key-file FILE or $%s) with --meter and the meter's key parameters", vendingKeyEnv)
	}
	vk, err := sts.ParseVendingKey(text)
	if err != nil {
		return sts.VendingKey{}, tokenUsage("%s: %v", src, err)
	}
	return vk, nil
}

// meterParams checks the meter flags and builds the meter.
func (f *tokenMeterFlags) meterParams() (sts.Meter, error) {
	if f.meter == "" {
		return sts.Meter{}, tokenUsage("--meter is required with a vending key")
	}
	drn, err := sts.ParseDRN(f.meter)
	if err != nil {
		return sts.Meter{}, tokenUsage("--meter: %v", err)
	}
	m := sts.Meter{DRN: drn}
	if m.SGC, err = tokenParseSGC("--sgc", f.sgc); err != nil {
		return sts.Meter{}, err
	}
	if err := f.checkRanges("with a vending key"); err != nil {
		return sts.Meter{}, err
	}
	m.TI, m.KRN, m.KT, m.KEN = uint8(f.ti), uint8(f.krn), uint8(f.kt), uint8(f.ken)
	if m.BaseDate, err = f.base(); err != nil {
		return sts.Meter{}, err
	}
	if m.Algorithm, err = f.algorithm(); err != nil {
		return sts.Meter{}, err
	}
	if m.DKGA, err = sts.ParseDKGA(f.dkga); err != nil {
		return sts.Meter{}, tokenUsage("--dkga %q: want 02 or 04", f.dkga)
	}
	if m.Algorithm == sts.EA11 && m.DKGA != sts.DKGA04 {
		return sts.Meter{}, tokenUsage("--algorithm EA11 needs --dkga 04 (DKGA02 makes 64-bit keys only)")
	}
	return m, nil
}

// checkRanges checks the key parameter flags; why says when --ti and --krn
// are required.
func (f *tokenMeterFlags) checkRanges(why string) error {
	for _, c := range []tokenIntFlag{
		{f.tiName, f.ti, 0, 99, true},
		{"krn", f.krn, 1, 9, true},
		{f.ktName, f.kt, 0, 3, false},
		{"ken", f.ken, 0, 255, false},
	} {
		if c.required && !tokenFlagIsSet(f.fs, c.name) {
			return tokenUsage("--%s is required %s", c.name, why)
		}
		if err := c.check(); err != nil {
			return err
		}
	}
	return nil
}

func tokenParseSGC(name, s string) (uint32, error) {
	if s == "" {
		return 0, tokenUsage("%s is required with a vending key", name)
	}
	v, err := sts.ParseSGC(s)
	if err != nil {
		return 0, tokenUsage("%s: %v", name, err)
	}
	return v, nil
}

// parseDecoderKey reads a --decoder-key style flag. Without --algorithm the
// key's length picks it: 16 hex digits EA07, 32 EA11.
func (f *tokenMeterFlags) parseDecoderKey(name, text string) (sts.DecoderKey, error) {
	alg, err := f.algorithm()
	if err != nil {
		return sts.DecoderKey{}, err
	}
	if !tokenFlagIsSet(f.fs, "algorithm") && len(strings.TrimSpace(text)) == 32 {
		alg = sts.EA11
	}
	k, err := sts.ParseDecoderKey(alg, text)
	if err != nil {
		return sts.DecoderKey{}, tokenUsage("--%s: %v", name, err)
	}
	return k, nil
}

// tokenSigner makes tokens for one meter: through the generator when the key
// comes from a vending key (which also checks the key expiry number), or
// straight from a decoder key.
type tokenSigner struct {
	gen   *sts.SoftwareGenerator
	meter sts.Meter
	key   sts.DecoderKey
	base  sts.BaseDate
}

func (f *tokenMeterFlags) signer() (*tokenSigner, error) {
	base, err := f.base()
	if err != nil {
		return nil, err
	}
	if f.decoderKey != "" {
		if f.vkFile != "" || f.meter != "" {
			return nil, tokenUsage("--decoder-key and --vending-key-file/--meter are exclusive: give the decoder key, or the vending key with the meter")
		}
		k, err := f.parseDecoderKey("decoder-key", f.decoderKey)
		if err != nil {
			return nil, err
		}
		return &tokenSigner{key: k, base: base}, nil
	}
	vk, err := f.vendingKey()
	if err != nil {
		return nil, err
	}
	m, err := f.meterParams()
	if err != nil {
		return nil, err
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		return nil, tokenUsage("vending key: %v", err)
	}
	k, err := gen.DecoderKey(m)
	if err != nil {
		return nil, tokenUsage("%v", err)
	}
	return &tokenSigner{gen: gen, meter: m, key: k, base: base}, nil
}

func (s *tokenSigner) credit(ctx context.Context, req sts.CreditRequest) (sts.Token, error) {
	if s.gen != nil {
		return s.gen.Credit(ctx, s.meter, req)
	}
	f, err := req.Fields()
	if err != nil {
		return sts.Token{}, err
	}
	return sts.Issue(f, s.key)
}

func (s *tokenSigner) management(ctx context.Context, req sts.ManagementRequest) (sts.Token, error) {
	if s.gen != nil {
		return s.gen.Management(ctx, s.meter, req)
	}
	f, err := req.Fields()
	if err != nil {
		return sts.Token{}, err
	}
	return sts.Issue(f, s.key)
}

func tokenDecoderKey(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := tokenFlagSet("decoder-key", "decoder-key --meter DRN --sgc N --ti N --krn N [--kt 2] [--base-date 2014] [--algorithm EA07] [--dkga 02]\n"+
		"The vending key comes from --vending-key-file or $"+vendingKeyEnv+".", stderr)
	mf := addTokenMeterFlags(fs, "ti", "kt")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := tokenParseFlags(fs, args, 0); err != nil {
		return err
	}
	if mf.decoderKey != "" {
		return tokenUsage("--decoder-key: this command derives the decoder key from the vending key")
	}
	vk, err := mf.vendingKey()
	if err != nil {
		return err
	}
	m, err := mf.meterParams()
	if err != nil {
		return err
	}
	k, err := sts.DeriveDecoderKey(vk, m)
	if err != nil {
		return tokenUsage("%v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"decoder_key": k.Hex(), "algorithm": m.Algorithm.String(), "dkga": m.DKGA.String(),
			"meter": string(m.DRN), "pan": m.DRN.PAN(), "sgc": fmt.Sprintf("%06d", m.SGC),
			"tariff_index": m.TI, "krn": m.KRN, "key_type": m.KT, "base_date": uint16(m.BaseDate),
		})
	}
	fmt.Fprintln(stdout, k.Hex())
	fmt.Fprintf(stdout, "meter %s (PAN %s), SGC %06d, TI %02d, KRN %d, KT %d, base date %d, %s, %s\n",
		m.DRN.Grouped(), m.DRN.PAN(), m.SGC, m.TI, m.KRN, m.KT, m.BaseDate, m.Algorithm, m.DKGA)
	return nil
}
