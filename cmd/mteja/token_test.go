package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tokenVectors is the part of the STS vectors file the command line checks.
type tokenVectors struct {
	DecoderKeys []struct {
		Name, Algorithm, PAN, SGC, Encryption string
		VendingKey                            string `json:"vending_key"`
		KeyType                               int    `json:"key_type"`
		TariffIndex                           string `json:"tariff_index"`
		KRN                                   int
		BaseDate                              string `json:"base_date"`
		DecoderKey                            string `json:"decoder_key"`
	} `json:"decoder_keys"`
	Tokens []struct {
		Name, Encryption, Issued, Token string
		SampleTables                    bool `json:"sample_tables"`
		Class, Subclass, RND            int
		DecoderKey                      string  `json:"decoder_key"`
		TID                             *int    `json:"tid"`
		BaseDate                        string  `json:"base_date"`
		Amount                          *uint64 `json:"amount"`
		Register                        *int    `json:"register"`
	} `json:"tokens"`
	KeyChanges []struct {
		Name, Encryption string
		Current          string `json:"current_decoder_key"`
		New              string `json:"new_decoder_key"`
		KEN, KRN         int
		Rollover         bool
		KeyType          int    `json:"key_type"`
		NewTariffIndex   int    `json:"new_tariff_index"`
		First            string `json:"set_1st_section"`
		Second           string `json:"set_2nd_section"`
	} `json:"key_changes"`
}

func loadTokenVectors(t *testing.T) tokenVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "sts", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v tokenVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) == 0 || len(v.KeyChanges) == 0 || len(v.DecoderKeys) == 0 {
		t.Fatal("vectors file has an empty section")
	}
	return v
}

func runTokenCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runToken(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func tokenGrouped(digits string) string {
	var b strings.Builder
	for i := 0; i < len(digits); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(digits[i : i+4])
	}
	return b.String()
}

// vectorArgs turns one token vector into a subcommand and its flags.
func tokenVectorArgs(t *testing.T, class, subclass int, amount *uint64, register *int) []string {
	t.Helper()
	switch {
	case class == 0:
		return []string{"credit", "--subclass", []string{"electricity", "water", "gas", "time"}[subclass], "--tenths", strconv.FormatUint(*amount, 10)}
	case class == 2 && subclass == 0:
		return []string{"mpl", "--watts", strconv.FormatUint(*amount, 10)}
	case class == 2 && subclass == 1:
		return []string{"clear-credit", "--register", strconv.Itoa(*register)}
	case class == 2 && subclass == 5:
		return []string{"clear-tamper"}
	case class == 2 && subclass == 6:
		return []string{"mppul", "--watts", strconv.FormatUint(*amount, 10)}
	}
	t.Fatalf("no subcommand for class %d subclass %d", class, subclass)
	return nil
}

func TestTokenCLIVectors(t *testing.T) {
	for _, v := range loadTokenVectors(t).Tokens {
		if v.SampleTables {
			continue // the sample tables are not for meters; only internal/sts checks them
		}
		t.Run(v.Name, func(t *testing.T) {
			args := tokenVectorArgs(t, v.Class, v.Subclass, v.Amount, v.Register)
			args = append(args, "--decoder-key", v.DecoderKey, "--algorithm", v.Encryption, "--rnd", strconv.Itoa(v.RND))
			if v.TID != nil {
				args = append(args, "--tid", strconv.Itoa(*v.TID), "--base-date", "1993")
			} else {
				args = append(args, "--at", v.Issued, "--base-date", v.BaseDate)
			}
			out, errOut, err := runTokenCLI(t, args...)
			if err != nil {
				t.Fatalf("%v: %v\n%s", args, err, errOut)
			}
			if !strings.HasPrefix(out, tokenGrouped(v.Token)+"\n") {
				t.Errorf("output does not start with %s:\n%s", tokenGrouped(v.Token), out)
			}

			out, _, err = runTokenCLI(t, append(args, "--json")...)
			if err != nil {
				t.Fatal(err)
			}
			var j map[string]any
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatalf("JSON: %v\n%s", err, out)
			}
			if j["token"] != v.Token || j["class"] != float64(v.Class) || j["subclass"] != float64(v.Subclass) || j["rnd"] != float64(v.RND) {
				t.Errorf("JSON = %s", out)
			}

			out, _, err = runTokenCLI(t, "decode", v.Token, "--decoder-key", v.DecoderKey, "--base-date", "1993", "--json")
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			var d map[string]any
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d["crc_ok"] != true || d["class"] != float64(v.Class) || d["subclass"] != float64(v.Subclass) {
				t.Errorf("decode JSON = %s", out)
			}
			if v.Issued != "" && d["issued"] != v.Issued+":00Z" {
				t.Errorf("decode issued = %v, want %s", d["issued"], v.Issued)
			}
		})
	}
}

func writeTokenKeyFile(t *testing.T, hexKey string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vending.key")
	if err := os.WriteFile(p, []byte(hexKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTokenCLIDecoderKeyVectors(t *testing.T) {
	for _, v := range loadTokenVectors(t).DecoderKeys {
		t.Run(v.Name, func(t *testing.T) {
			drn := v.PAN[6:17]
			if strings.HasPrefix(v.PAN, "0000") {
				drn = v.PAN[4:17]
			}
			dkga, base, alg := "02", "1993", "EA07"
			if v.Algorithm == "DKGA04" {
				dkga, base, alg = "04", v.BaseDate, v.Encryption
			}
			args := []string{"decoder-key", "--meter", drn, "--sgc", v.SGC, "--ti", v.TariffIndex, "--krn", strconv.Itoa(v.KRN),
				"--kt", strconv.Itoa(v.KeyType), "--dkga", dkga, "--base-date", base, "--algorithm", alg}

			// From a key file.
			out, errOut, err := runTokenCLI(t, append(args, "--vending-key-file", writeTokenKeyFile(t, v.VendingKey))...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			if !strings.HasPrefix(out, v.DecoderKey+"\n") || !strings.Contains(out, v.PAN) {
				t.Errorf("output:\n%s\nwant key %s and PAN %s", out, v.DecoderKey, v.PAN)
			}
			if strings.Contains(strings.ToUpper(out+errOut), v.VendingKey) {
				t.Error("the vending key was printed")
			}

			// From the environment, as JSON.
			t.Setenv(vendingKeyEnv, v.VendingKey)
			out, _, err = runTokenCLI(t, append(args, "--json")...)
			if err != nil {
				t.Fatal(err)
			}
			var j map[string]any
			if err := json.Unmarshal([]byte(out), &j); err != nil {
				t.Fatal(err)
			}
			if j["decoder_key"] != v.DecoderKey || j["pan"] != v.PAN {
				t.Errorf("JSON = %s", out)
			}
		})
	}
}

// TestTokenCLIFromVendingKey makes vector tokens from the vending key and
// the meter's parameters instead of the decoder key.
func TestTokenCLIFromVendingKey(t *testing.T) {
	tests := []struct {
		name, vk string
		args     []string
		want     string
	}{
		{"DKGA02 PAN A", "ABABABABABABABAB",
			[]string{"credit", "--meter", "0000 0000 000", "--sgc", "123456", "--ti", "1", "--krn", "1", "--kt", "2", "--base-date", "1993", "--at", "2004-03-01T13:55", "--rnd", "5", "--units", "0.1"},
			"23716100501183194197"},
		{"DKGA02 PAN B water", "ABABABABABABABAB",
			[]string{"credit", "--subclass", "water", "--meter", "0100000000008", "--sgc", "123456", "--ti", "1", "--krn", "1", "--base-date", "1993", "--at", "2004-03-01T14:10", "--rnd", "5", "--tenths", "1"},
			"09109691696351271646"},
		{"DKGA04 clear credit", "ABABABABABABABAB949494949494949401234567",
			[]string{"clear-credit", "--meter", "00000000000", "--sgc", "123457", "--ti", "01", "--krn", "1", "--dkga", "04", "--base-date", "1993", "--at", "2008-05-26T08:00", "--rnd", "5"},
			"08144275084202187413"},
		{"DKGA04 credit", "ABABABABABABABAB949494949494949401234567",
			[]string{"credit", "--meter", "00000000000", "--sgc", "123457", "--ti", "1", "--krn", "1", "--dkga", "04", "--base-date", "1993", "--at", "2009-01-01T11:00+03:00", "--rnd", "5", "--units", "0.1"},
			"15697331168573253829"},
		{"key change", "ABABABABABABABAB",
			[]string{"key-change", "--meter", "00000000000", "--sgc", "123456", "--tariff-index", "2", "--current-tariff-index", "1", "--krn", "1", "--key-type", "2", "--base-date", "1993"},
			"5163 8423 0600 4273 4509\n2nd  1536 1891 7621 1350 2242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(vendingKeyEnv, tt.vk)
			out, errOut, err := runTokenCLI(t, tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			want := tt.want
			if !strings.Contains(want, " ") {
				want = tokenGrouped(want)
			}
			if !strings.Contains(out, want) {
				t.Errorf("output does not contain %s:\n%s", want, out)
			}
			if strings.Contains(out+errOut, tt.vk) {
				t.Error("the vending key was printed")
			}
		})
	}
}

func TestTokenCLIKeyChange(t *testing.T) {
	for _, v := range loadTokenVectors(t).KeyChanges {
		args := []string{"key-change", "--decoder-key", v.Current, "--new-decoder-key", v.New, "--algorithm", v.Encryption,
			"--ken", strconv.Itoa(v.KEN), "--krn", strconv.Itoa(v.KRN), "--key-type", strconv.Itoa(v.KeyType),
			"--tariff-index", strconv.Itoa(v.NewTariffIndex)}
		if v.Rollover {
			args = append(args, "--rollover")
		}
		out, errOut, err := runTokenCLI(t, args...)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		if !strings.HasPrefix(out, "1st  "+tokenGrouped(v.First)+"\n2nd  "+tokenGrouped(v.Second)+"\n") {
			t.Errorf("output:\n%s", out)
		}
		out, _, err = runTokenCLI(t, append(args, "--json")...)
		if err != nil {
			t.Fatal(err)
		}
		var j struct {
			Token    *string  `json:"token"`
			Tokens   []string `json:"tokens"`
			KRN      int      `json:"krn"`
			TI       int      `json:"tariff_index"`
			Rollover *bool    `json:"rollover"`
		}
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		if j.Token != nil || len(j.Tokens) != 2 || j.Tokens[0] != v.First || j.Tokens[1] != v.Second ||
			j.KRN != v.KRN || j.TI != v.NewTariffIndex || j.Rollover == nil || *j.Rollover != v.Rollover {
			t.Errorf("JSON = %s", out)
		}
		// The meter reads the 1st section with its current key.
		out, _, err = runTokenCLI(t, "decode", v.First, "--decoder-key", v.Current)
		if err != nil || !strings.Contains(out, "key change, 1st section") {
			t.Errorf("decode 1st section: %v\n%s", err, out)
		}
	}
}

func TestTokenCLITest(t *testing.T) {
	for _, tt := range []struct {
		args []string
		mfr  float64
	}{
		{[]string{"test", "--control", "0x123456789", "--mfr", "255"}, 255},
		{[]string{"test", "--subclass", "1", "--control", "FFFFFFF", "--mfr", "65535"}, 65535},
	} {
		out, _, err := runTokenCLI(t, append(tt.args, "--json")...)
		if err != nil {
			t.Fatal(err)
		}
		var j map[string]any
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatal(err)
		}
		tok, _ := j["token"].(string)
		if len(tok) != 20 || j["class"] != float64(1) || j["manufacturer"] != tt.mfr {
			t.Fatalf("JSON = %s", out)
		}
		// Test tokens decode without a key.
		out, _, err = runTokenCLI(t, "decode", tok)
		if err != nil || !strings.Contains(out, "any meter accepts") || !strings.Contains(out, fmt.Sprintf("manufacturer code %d", int(tt.mfr))) {
			t.Errorf("decode %s: %v\n%s", tok, err, out)
		}
	}
}

func TestTokenCLIDecode(t *testing.T) {
	// Typed in groups, as five arguments, flags after the token.
	out, _, err := runTokenCLI(t, "decode", "2905", "4347", "1393", "0985", "1356", "--decoder-key", "0ABC12DEF3456789", "--base-date", "1993")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Valid     yes", "electricity credit", "25.6 kWh", "TID 1698595"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The right token for another meter: what a care agent sees.
	out, _, err = runTokenCLI(t, "decode", "2905-4347-1393-0985-1356", "--decoder-key", "E653341F9D5BF36F")
	if !errors.Is(err, errTokenInvalid) || errors.Is(err, errUsage) {
		t.Errorf("wrong key: err = %v", err)
	}
	for _, want := range []string{"NO: the CRC check failed", "another meter", "mistyped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runTokenCLI(t, "decode", "29054347139309851356", "--decoder-key", "E653341F9D5BF36F", "--json")
	var j map[string]any
	if err := json.Unmarshal([]byte(out), &j); err != nil || j["crc_ok"] != false || j["problem"] == "" {
		t.Errorf("wrong key JSON = %s (%v)", out, err)
	}
}

func TestTokenCLIUsageErrors(t *testing.T) {
	dk := []string{"--decoder-key", "E653341F9D5BF36F"}
	tests := []struct {
		name string
		args []string
		want string // in the error message
	}{
		{"no subcommand", nil, "missing subcommand"},
		{"unknown subcommand", []string{"vend"}, `unknown subcommand "vend"`},
		{"unknown flag", append([]string{"credit", "--colour", "red"}, dk...), "colour"},
		{"units and tenths", append([]string{"credit", "--units", "1", "--tenths", "10"}, dk...), "--units and --tenths are exclusive"},
		{"no amount", append([]string{"credit"}, dk...), "--units"},
		{"units two decimals", append([]string{"credit", "--units", "1.25"}, dk...), "--units"},
		{"units not a number", append([]string{"credit", "--units", "ten"}, dk...), "--units"},
		{"negative tenths", append([]string{"credit", "--tenths", "-5"}, dk...), "--tenths"},
		{"too much", append([]string{"credit", "--units", "2000000"}, dk...), "largest"},
		{"bad subclass", append([]string{"credit", "--units", "1", "--subclass", "petrol"}, dk...), "--subclass"},
		{"rnd", append([]string{"credit", "--units", "1", "--rnd", "16"}, dk...), "--rnd"},
		{"at and tid", append([]string{"credit", "--units", "1", "--at", "2020-01-01T00:00", "--tid", "5"}, dk...), "--at and --tid"},
		{"bad at", append([]string{"credit", "--units", "1", "--at", "yesterday"}, dk...), "--at"},
		{"at before base", append([]string{"credit", "--units", "1", "--at", "2010-01-01T00:00"}, dk...), "before base date"},
		{"tid range", append([]string{"credit", "--units", "1", "--tid", "16777216"}, dk...), "--tid"},
		{"base date", append([]string{"credit", "--units", "1", "--base-date", "2000"}, dk...), "--base-date"},
		{"algorithm", append([]string{"credit", "--units", "1", "--algorithm", "EA09"}, dk...), "--algorithm"},
		{"decoder key length", []string{"credit", "--units", "1", "--decoder-key", "E653341F"}, "--decoder-key"},
		{"decoder key not hex", []string{"credit", "--units", "1", "--decoder-key", "E653341F9D5BF36G"}, "--decoder-key"},
		{"no key", []string{"credit", "--units", "1"}, "no key"},
		{"both keys", append([]string{"credit", "--units", "1", "--meter", "00000000000"}, dk...), "exclusive"},
		{"watts missing", append([]string{"mpl"}, dk...), "--watts"},
		{"register", append([]string{"clear-credit", "--register", "everything"}, dk...), "--register"},
		{"stray argument", append([]string{"clear-tamper", "now"}, dk...), `unexpected argument "now"`},
		{"test control", []string{"test", "--control", "1000000000"}, "--control"},
		{"test mfr", []string{"test", "--control", "1", "--mfr", "256"}, "--mfr"},
		{"test subclass", []string{"test", "--control", "1", "--subclass", "2"}, "--subclass"},
		{"decode nothing", append([]string{"decode"}, dk...), "give the token"},
		{"decode short", append([]string{"decode", "1234567890123456789"}, dk...), "20 digits"},
		{"decode letters", append([]string{"decode", "2905-4347-1393-0985-135O"}, dk...), `'O'`},
		{"key change krn", []string{"key-change", "--decoder-key", "E653341F9D5BF36F", "--new-decoder-key", "060B8643C59A27F1", "--key-type", "2", "--tariff-index", "2"}, "--krn is required"},
		{"key change key type", []string{"key-change", "--decoder-key", "E653341F9D5BF36F", "--new-decoder-key", "060B8643C59A27F1", "--krn", "1", "--key-type", "4", "--tariff-index", "2"}, "--key-type 4"},
		{"decoder-key with decoder key", append([]string{"decoder-key"}, dk...), "--decoder-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(vendingKeyEnv, "")
			_, _, err := runTokenCLI(t, tt.args...)
			if !errors.Is(err, errUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestTokenCLIMeterErrors covers the vending key path's checks, which name
// the flag at fault and never echo the key.
func TestTokenCLIMeterErrors(t *testing.T) {
	meter := []string{"--sgc", "123456", "--ti", "1", "--krn", "1"}
	tests := []struct {
		name, vk string
		args     []string
		want     string
	}{
		{"check digit", "ABABABABABABABAB", append([]string{"credit", "--units", "1", "--meter", "01234567890"}, meter...), "expected 7"},
		{"meter missing", "ABABABABABABABAB", append([]string{"credit", "--units", "1"}, meter...), "--meter is required"},
		{"sgc", "ABABABABABABABAB", []string{"credit", "--units", "1", "--meter", "01234567897", "--sgc", "1234567", "--ti", "1", "--krn", "1"}, "--sgc"},
		{"ti missing", "ABABABABABABABAB", []string{"credit", "--units", "1", "--meter", "01234567897", "--sgc", "1", "--krn", "1"}, "--ti is required"},
		{"krn range", "ABABABABABABABAB", []string{"credit", "--units", "1", "--meter", "01234567897", "--sgc", "1", "--ti", "1", "--krn", "10"}, "--krn 10"},
		{"EA11 with DKGA02", "ABABABABABABABAB", append([]string{"credit", "--units", "1", "--meter", "01234567897", "--algorithm", "EA11"}, meter...), "--dkga 04"},
		{"bad key", "ABABABABABABABZZ", append([]string{"credit", "--units", "1", "--meter", "01234567897"}, meter...), vendingKeyEnv},
		{"key too short for DKGA04", "ABABABABABABABAB", append([]string{"credit", "--units", "1", "--meter", "01234567897", "--dkga", "04"}, meter...), "160-bit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(vendingKeyEnv, tt.vk)
			_, _, err := runTokenCLI(t, tt.args...)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a usage error mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.vk) {
				t.Errorf("error %q shows the vending key", err)
			}
		})
	}
	_, _, err := runTokenCLI(t, "credit", "--units", "1", "--meter", "01234567897", "--vending-key-file", filepath.Join(t.TempDir(), "missing"), "--sgc", "1", "--ti", "1", "--krn", "1")
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--vending-key-file") {
		t.Errorf("missing key file: err = %v", err)
	}
}

func TestTokenCLIHelp(t *testing.T) {
	for name := range tokenCommands() {
		_, errOut, err := runTokenCLI(t, name, "-h")
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s -h: err = %v, want flag.ErrHelp", name, err)
		}
		if !strings.Contains(errOut, "mteja token "+name) || !strings.Contains(errOut, "-json") {
			t.Errorf("%s -h printed:\n%s", name, errOut)
		}
	}
	_, errOut, err := runTokenCLI(t, "-h")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut, "key-change") {
		t.Errorf("token -h: %v\n%s", err, errOut)
	}
}

// TestTokenExitStatus checks the exit statuses through the command's entry point.
func TestTokenExitStatus(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"token", "credit", "--decoder-key", "E653341F9D5BF36F", "--units", "1", "--rnd", "1"}, 0},
		{[]string{"token", "credit", "--decoder-key", "E653341F9D5BF36F", "--units", "1", "--tenths", "1"}, 2},
		{[]string{"token", "decode", "29054347139309851356", "--decoder-key", "E653341F9D5BF36F"}, 1},
		{[]string{"token", "decode", "-h"}, 0},
		{[]string{"token"}, 2},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &errOut); got != tt.want {
			t.Errorf("mteja %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), got, tt.want, errOut.String())
		}
	}
}
