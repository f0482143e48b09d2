package tariff

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

// randomVersion draws a valid version with 1-4 blocks, rates from a fraction
// of a cent to UGX-sized, and a random mix of charges, VAT targets, fixed
// charge and debt recovery.
func randomVersion(r *rand.Rand) Version {
	v := Version{EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, Zone), Currency: "KES"}
	rate := func() Rate {
		switch r.IntN(4) {
		case 0:
			return Rate(1 + r.IntN(100)) // a fraction of a cent per kWh
		case 1:
			return Rate(1_000_000 + r.IntN(9_000_000)) // 100-1,000 per kWh (UGX, TZS)
		default:
			return Rate(1 + r.IntN(400_000)) // up to 40 per kWh (KES)
		}
	}
	var up int64
	for n := 1 + r.IntN(4); n > 1; n-- {
		up += 1 + r.Int64N(150_000)
		v.Blocks = append(v.Blocks, Block{UpToWh: up, Rate: rate()})
	}
	v.Blocks = append(v.Blocks, Block{Rate: rate()})
	for i := r.IntN(6); i > 0; i-- {
		c := Charge{Code: fmt.Sprintf("c%d", i), Kind: ChargeKind(1 + r.IntN(3)), VAT: r.IntN(2) == 0}
		if c.Kind == LevyOfEnergy {
			c.Share = Fraction(r.Int64N(int64(Whole) / 4))
		} else {
			c.Rate = Rate(r.IntN(60_000))
		}
		v.Charges = append(v.Charges, c)
	}
	if r.IntN(4) > 0 {
		v.VAT = Fraction(r.Int64N(300_000))
	}
	v.VATOnEnergy, v.VATOnFixed = r.IntN(4) > 0, r.IntN(2) == 0
	if r.IntN(2) == 0 {
		v.FixedMonthly = money.Amount(1 + r.Int64N(50_000))
	}
	v.DebtRecovery = []Fraction{0, 250_000, Whole, Fraction(r.Int64N(int64(Whole)))}[r.IntN(4)]
	v.MinPurchase = money.Amount(1 + r.Int64N(10_000))
	v.MaxPurchase = v.MinPurchase + money.Amount(r.Int64N(5_000_000))
	return v
}

func randomInput(r *rand.Rand, v Version) Input {
	in := Input{Paid: v.MinPurchase + money.Amount(r.Int64N(int64(v.MaxPurchase-v.MinPurchase)+1)), FirstVendOfMonth: r.IntN(2) == 0}
	if r.IntN(2) == 0 {
		in.MonthEnergy = r.Int64N(400_000)
	}
	if r.IntN(2) == 0 {
		in.Debt = money.Amount(r.Int64N(int64(in.Paid) * 2))
	}
	return in
}

// reference prices a payment again with big.Rat, in cents and kWh, written
// from the rules in Price's comment rather than from its code. It returns
// the exact energy in kWh and every line's expected amount.
func reference(v Version, in Input) (kwh *big.Rat, lines map[string]money.Amount) {
	rat := func(n int64, d int64) *big.Rat { return big.NewRat(n, d) }
	roundHalfUp := func(x *big.Rat) int64 {
		y := new(big.Rat).Add(x, rat(1, 2))
		return new(big.Int).Quo(y.Num(), y.Denom()).Int64()
	}
	floor := func(x *big.Rat) int64 { return new(big.Int).Quo(x.Num(), x.Denom()).Int64() }
	lines = map[string]money.Amount{}

	paid := int64(in.Paid)
	debt := min(int64(in.Debt), floor(rat(paid*int64(v.DebtRecovery), int64(Whole))))
	rest := paid - debt
	if debt > 0 {
		lines[CodeDebt] = money.Amount(debt)
	}
	var fixedVAT int64
	if in.FirstVendOfMonth && v.FixedMonthly > 0 {
		var vat int64
		if v.VATOnFixed {
			vat = roundHalfUp(rat(int64(v.FixedMonthly)*int64(v.VAT), int64(Whole)))
		}
		due := int64(v.FixedMonthly) + vat
		if rest >= due {
			lines[CodeFixed], fixedVAT, rest = v.FixedMonthly, vat, rest-due
		} else {
			fixedVAT = roundHalfUp(rat(rest*vat, due))
			if rest-fixedVAT > 0 {
				lines[CodeFixed] = money.Amount(rest - fixedVAT)
			}
			rest = 0
		}
	}

	// Per-kWh figures of each line in cents, for a block rate.
	perKWh := func(r Rate) map[string]*big.Rat {
		energy := rat(int64(r), 100)
		m := map[string]*big.Rat{CodeEnergy: energy}
		vatable := new(big.Rat)
		if v.VATOnEnergy {
			vatable.Add(vatable, energy)
		}
		for _, c := range v.Charges {
			x := rat(int64(c.Rate), 100)
			if c.Kind == LevyOfEnergy {
				x = new(big.Rat).Mul(energy, rat(int64(c.Share), int64(Whole)))
			}
			m[c.Code] = x
			if c.VAT {
				vatable.Add(vatable, x)
			}
		}
		m[CodeVAT] = new(big.Rat).Mul(vatable, rat(int64(v.VAT), int64(Whole)))
		return m
	}
	exact := map[string]*big.Rat{CodeVAT: new(big.Rat)}
	for _, c := range v.Charges {
		exact[c.Code] = new(big.Rat)
	}
	left := rat(rest, 1)
	kwh = new(big.Rat)
	pos := rat(in.MonthEnergy, 1000)
	for _, b := range v.Blocks {
		if left.Sign() == 0 {
			break
		}
		end := rat(b.UpToWh, 1000)
		if b.UpToWh != 0 && pos.Cmp(end) >= 0 {
			continue
		}
		m := perKWh(b.Rate)
		price := new(big.Rat)
		for _, x := range m {
			price.Add(price, x)
		}
		take := new(big.Rat).Quo(left, price)
		if b.UpToWh != 0 {
			if room := new(big.Rat).Sub(end, pos); room.Cmp(take) < 0 {
				take = room
			}
		}
		for code, x := range m {
			if code != CodeEnergy {
				exact[code].Add(exact[code], new(big.Rat).Mul(take, x))
			}
		}
		left.Sub(left, new(big.Rat).Mul(take, price))
		kwh.Add(kwh, take)
		pos.Add(pos, take)
	}
	var others int64
	for code, x := range exact {
		lines[code] = money.Amount(roundHalfUp(x))
		others += roundHalfUp(x)
	}
	if others > rest {
		others = 0
		for code, x := range exact {
			lines[code] = money.Amount(floor(x))
			others += floor(x)
		}
	}
	lines[CodeEnergy] = money.Amount(rest - others)
	lines[CodeVAT] += money.Amount(fixedVAT)
	return kwh, lines
}

// checkQuote asserts everything a quote promises, against the reference.
func checkQuote(t *testing.T, v Version, in Input, q Quote) {
	t.Helper()
	kwh, want := reference(v, in)
	wh := new(big.Rat).Mul(kwh, big.NewRat(1000, 1))
	ceilWh := new(big.Int).Quo(new(big.Int).Add(wh.Num(), new(big.Int).Sub(wh.Denom(), big.NewInt(1))), wh.Denom()).Int64()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("version %+v\ninput %+v\nquote %+v\n"+format, append([]any{v, in, q}, args...)...)
	}
	if q.Energy != ceilWh {
		fail("energy %d Wh; want %s kWh rounded up to the Wh = %d", q.Energy, kwh.FloatString(6), ceilWh)
	}
	if q.Total() != in.Paid {
		fail("lines add up to %s; paid %s", q.Total(), in.Paid)
	}
	if len(q.Lines) != len(want) {
		fail("%d lines; want %d: %v", len(q.Lines), len(want), want)
	}
	for _, l := range q.Lines {
		if l.Amount < 0 {
			fail("line %s is negative", l.Code)
		}
		if l.Amount != want[l.Code] {
			fail("line %s = %s; reference %s", l.Code, l.Amount, want[l.Code])
		}
	}
	var blockWh int64
	var blockAmount money.Amount
	for _, b := range q.Blocks {
		if b.Wh <= 0 || b.Amount < 0 {
			fail("block %+v", b)
		}
		blockWh += b.Wh
		blockAmount += b.Amount
	}
	if blockWh != q.Energy || blockAmount != q.Line(CodeEnergy).Amount {
		fail("blocks hold %d Wh and %s; want %d Wh and the energy line", blockWh, blockAmount, q.Energy)
	}
	if q.TokenTenths*100 < q.Energy || (q.TokenTenths-1)*100 >= q.Energy && q.Energy > 0 || q.Units != formatKWh(q.Energy) {
		fail("token %d tenths, units %q for %d Wh", q.TokenTenths, q.Units, q.Energy)
	}
	if q.DebtRecovered > in.Debt || q.FixedCarried < 0 || q.DebtRecovered+q.FixedCharge > in.Paid {
		fail("debt %s of %s, fixed %s, carried %s", q.DebtRecovered, in.Debt, q.FixedCharge, q.FixedCarried)
	}
}

func TestPriceProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20240701, 1))
	fixed := mustParseFile(t, "fixed-charge.yaml").Versions[0]
	for i := range 600 {
		v := randomVersion(r)
		switch i % 3 { // the real tariffs get their share of inputs too
		case 0:
			v = Sample().Versions[0]
		case 1:
			if i%2 == 0 {
				v = fixed
			}
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("random version invalid: %v", err)
		}
		for range 15 {
			in := randomInput(r, v)
			q, err := v.Price(in)
			if err != nil {
				t.Fatalf("Price(%+v): %v\nversion %+v", in, err, v)
			}
			checkQuote(t, v, in, q)
		}
	}
}

// Paying more never buys less energy, whatever the meter's state.
func TestPriceEnergyNonDecreasing(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		v := randomVersion(r)
		in := randomInput(r, v)
		paids := []money.Amount{v.MinPurchase, v.MaxPurchase}
		for range 30 {
			p := randomInput(r, v).Paid
			paids = append(paids, p, min(p+1, v.MaxPurchase))
		}
		slices.Sort(paids)
		last := int64(-1)
		for _, p := range paids {
			in.Paid = p
			q, err := v.Price(in)
			if err != nil {
				t.Fatal(err)
			}
			if q.Energy < last {
				t.Fatalf("paying %s buys %d Wh, less than %d Wh for less\nversion %+v\ninput %+v", p, q.Energy, last, v, in)
			}
			last = q.Energy
		}
	}
}

func TestCostOfProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 3))
	for range 60 {
		v := randomVersion(r)
		in := randomInput(r, v)
		q, err := v.Price(in)
		if err != nil {
			t.Fatal(err)
		}
		want := r.Int64N(q.Energy + 1)
		cost, err := v.CostOf(in, want)
		if err != nil {
			t.Fatalf("CostOf(%d Wh): %v", want, err)
		}
		in.Paid = cost
		if got, _ := v.Price(in); got.Energy < want {
			t.Fatalf("CostOf(%d Wh) = %s, which buys %d Wh", want, cost, got.Energy)
		}
		if cost > v.MinPurchase {
			in.Paid = cost - 1
			if got, _ := v.Price(in); got.Energy >= want {
				t.Fatalf("CostOf(%d Wh) = %s, but %s buys %d Wh already", want, cost, in.Paid, got.Energy)
			}
		}
	}
}
