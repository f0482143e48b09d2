package sts

import (
	"errors"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestEncodeAmount(t *testing.T) {
	tests := []struct {
		in, want uint64 // tenths in, tenths carried
		exp      uint16
	}{
		{0, 0, 0},
		{1, 1, 0},
		{256, 256, 0},
		{16383, 16383, 0},
		{16384, 16384, 1},
		{16385, 16394, 1}, // rounded up to the next multiple of 10 above 16384
		{20000, 20004, 1},
		{180214, 180214, 1},
		{180215, 180224, 2}, // past the top of exponent 1: the bottom of exponent 2
		{180223, 180224, 2},
		{180224, 180224, 2},
		{1818524, 1818524, 2},
		{1818525, 1818624, 3},
		{1818623, 1818624, 3},
		{18201624, 18201624, 3},
	}
	for _, tt := range tests {
		a, err := EncodeAmount(tt.in)
		if err != nil {
			t.Fatalf("EncodeAmount(%d): %v", tt.in, err)
		}
		if a.Value() != tt.want || uint16(a>>14) != tt.exp {
			t.Errorf("EncodeAmount(%d) = %#04x (value %d, exponent %d), want value %d exponent %d", tt.in, uint16(a), a.Value(), a>>14, tt.want, tt.exp)
		}
	}
	if _, err := EncodeAmount(MaxAmountValue + 1); !errors.Is(err, ErrAmountRange) {
		t.Errorf("EncodeAmount(max+1): err = %v, want ErrAmountRange", err)
	}
}

// TestEncodeAmountSmallestAbove checks, against every one of the 65536 codes,
// that the encoding is the smallest representable value not below the input.
func TestEncodeAmountSmallestAbove(t *testing.T) {
	values := make([]uint64, 0, 1<<16)
	for c := range 1 << 16 {
		values = append(values, Amount(c).Value())
	}
	if !sort.SliceIsSorted(values, func(i, j int) bool { return values[i] < values[j] }) {
		t.Fatal("codes do not decode in increasing order")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		v := r.Uint64N(MaxAmountValue + 1)
		i := sort.Search(len(values), func(i int) bool { return values[i] >= v })
		a, err := EncodeAmount(v)
		if err != nil || a != Amount(i) {
			t.Fatalf("EncodeAmount(%d) = %d, %v; want code %d (value %d)", v, a, err, i, values[i])
		}
		if rv, _ := RoundAmount(v); rv != values[i] {
			t.Fatalf("RoundAmount(%d) = %d, want %d", v, rv, values[i])
		}
	}
}

func TestParseTenths(t *testing.T) {
	for in, want := range map[string]uint64{"25.6": 256, "25": 250, "0.1": 1, "0": 0, "1820162.4": 18201624} {
		got, err := ParseTenths(in)
		if err != nil || got != want {
			t.Errorf("ParseTenths(%q) = %d, %v; want %d", in, got, err, want)
		}
		if in != "25" && in != "0" && FormatTenths(got) != in {
			t.Errorf("FormatTenths(%d) = %s, want %s", got, FormatTenths(got), in)
		}
	}
	for _, in := range []string{"", ".5", "1.25", "1.", "-1", "1e3", "ten", "1.x", "1,000", "9999999999999"} {
		if _, err := ParseTenths(in); err == nil {
			t.Errorf("ParseTenths(%q) accepted", in)
		}
	}
}

func TestParseCreditKind(t *testing.T) {
	for in, want := range map[string]Subclass{"electricity": Electricity, "Water": Water, "2": Gas, "time": Time} {
		if got, err := ParseCreditKind(in); err != nil || got != want {
			t.Errorf("ParseCreditKind(%q) = %d, %v", in, got, err)
		}
	}
	if _, err := ParseCreditKind("petrol"); err == nil {
		t.Error("petrol accepted")
	}
}
