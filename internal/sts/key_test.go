package sts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestKeysNeverPrint checks that no fmt verb, slog handler or JSON encoding
// shows key material, alone or nested in a struct.
func TestKeysNeverPrint(t *testing.T) {
	const vkHex = "ABABABABABABABAB949494949494949401234567"
	vk, err := ParseVendingKey(vkHex)
	if err != nil {
		t.Fatal(err)
	}
	dk, err := ParseDecoderKey(EA07, "0ABC12DEF3456789")
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewSoftwareGenerator(vk)
	if err != nil {
		t.Fatal(err)
	}
	nested := struct {
		Vending VendingKey
		Decoder DecoderKey
		Gen     *SoftwareGenerator
	}{vk, dk, g}
	secrets := []string{"abababab", "94949494", "0abc12de", "f3456789", "\xab\xab\xab", "\x94\x94\x94", "171, 171", "[171 171"}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%08b"} {
		for _, v := range []any{vk, &vk, dk, g, nested, &nested} {
			out = append(out, fmt.Sprintf(verb, v))
		}
	}
	out = append(out, fmt.Sprint(vk, dk, g), fmt.Sprintln(nested))
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("vend", "vk", vk, "dk", dk, "gen", g, "nested", nested)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("vend", "vk", vk, "dk", dk, "nested", nested)
	out = append(out, logs.String())
	j, err := json.Marshal(nested)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(j))
	for _, s := range out {
		low := strings.ToLower(s)
		for _, secret := range secrets {
			if strings.Contains(low, secret) {
				t.Errorf("key material %q shown in %q", secret, s)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(vk), "redacted") {
		t.Errorf("vending key prints as %q, want it to say redacted", fmt.Sprint(vk))
	}
	if dk.Hex() != "0ABC12DEF3456789" {
		t.Errorf("Hex = %s", dk.Hex())
	}
}

func TestKeyErrorsDoNotEchoInput(t *testing.T) {
	for _, in := range []string{"ABABABABABABABAX", "ABABABABABABAB", "ABABABABABABABABAB", "secretsecretsecret"} {
		_, err1 := ParseVendingKey(in)
		_, err2 := ParseDecoderKey(EA07, in)
		for _, err := range []error{err1, err2} {
			if err == nil {
				t.Fatalf("%q accepted", in)
			}
			if strings.Contains(err.Error(), in) || strings.Contains(strings.ToUpper(err.Error()), "ABABAB") {
				t.Errorf("error %q repeats the key", err)
			}
		}
	}
}

func TestParseKeys(t *testing.T) {
	vk, err := ParseVendingKey("abababab abababab\n")
	if err != nil || vk.Len() != 8 {
		t.Fatalf("ParseVendingKey: %v, %d bytes", err, vk.Len())
	}
	if _, err := ParseDecoderKey(EA11, "0ABC12DEF3456789"); err == nil {
		t.Error("a 64-bit key accepted for EA11")
	}
	k, err := ParseDecoderKey(EA11, "F94B6ED353C3BFDB113E2D3A7EA3C41D")
	if err != nil || k.Hex() != "F94B6ED353C3BFDB113E2D3A7EA3C41D" || len(k.Bytes()) != 16 || k.Algorithm() != EA11 {
		t.Errorf("EA11 key: %v, %s", err, k.Hex())
	}
	if k, _ := ParseDecoderKey(EA07, "0abc12def3456789"); !bytes.Equal(k.Bytes(), []byte{0x0A, 0xBC, 0x12, 0xDE, 0xF3, 0x45, 0x67, 0x89}) {
		t.Errorf("Bytes = %X", k.Bytes())
	}
	for in, want := range map[string]Algorithm{"EA07": EA07, "sta": EA07, "7": EA07, "ea11": EA11, "MISTY1": EA11} {
		if got, err := ParseAlgorithm(in); err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseAlgorithm("EA09"); err == nil {
		t.Error("EA09 accepted")
	}
	for in, want := range map[string]DKGA{"02": DKGA02, "4": DKGA04, "DKGA04": DKGA04} {
		if got, err := ParseDKGA(in); err != nil || got != want {
			t.Errorf("ParseDKGA(%q) = %v, %v", in, got, err)
		}
	}
}

func TestDeriveWrongKeyLength(t *testing.T) {
	short, _ := ParseVendingKey("ABABABABABABABAB")
	long, _ := ParseVendingKey("ABABABABABABABAB949494949494949401234567")
	m := benchMeter(EA07, DKGA04)
	if _, err := DeriveDecoderKey(short, m); err == nil || !strings.Contains(err.Error(), "160-bit") {
		t.Errorf("DKGA04 with a 64-bit key: %v", err)
	}
	m.DKGA = DKGA02
	if _, err := DeriveDecoderKey(long, m); err == nil || !strings.Contains(err.Error(), "64-bit") {
		t.Errorf("DKGA02 with a 160-bit key: %v", err)
	}
}
