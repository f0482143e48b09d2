package tariff

import (
	"math/big"
	"math/bits"
	"slices"

	"github.com/mteja/mteja/internal/money"
)

// Positions of the energy-related lines in purchase.lines; the charges follow
// in Version.Charges order.
const (
	lineEnergy = iota
	lineVAT
	lineCharges
)

// Exact arithmetic. A line's price per kWh is held in 10^-16 of the major
// unit: rates have four decimals, a levy on the energy charge adds six, and
// VAT on that levy six more. Per Wh that is 10^-17 of a cent, the unit "u"
// below. Products outgrow int64 for currencies with large unit prices (UGX,
// TZS), hence math/big; a quote costs a few microseconds.
var (
	perCent  = big.NewInt(1e17) // u per cent
	rateToU  = big.NewInt(1e12) // Rate (1e-4) to 1e-16 per kWh
	shareToU = big.NewInt(1e6)  // Rate × Fraction (1e-10) to 1e-16 per kWh
)

// purchase is the energy side of a quote.
type purchase struct {
	wh     int64
	lines  []money.Amount // lineEnergy, lineVAT, then one per charge
	blocks []BlockUse
}

// coefficients fills c with each line's price per kWh in a block of rate r
// (in 1e-16 of the major unit) and returns their sum, the all-in price.
func (v Version) coefficients(r Rate, c []big.Int, total *big.Int) {
	var tmp, vatBase big.Int // vatBase in 1e-10 per kWh, so VAT (1e-6) lands on 1e-16
	rate := big.NewInt(int64(r))
	c[lineEnergy].Mul(rate, rateToU)
	if v.VATOnEnergy {
		vatBase.Mul(rate, shareToU)
	}
	for i, ch := range v.Charges {
		ci := &c[lineCharges+i]
		switch ch.Kind {
		case LevyOfEnergy:
			tmp.Mul(rate, tmp.SetInt64(int64(ch.Share)))
			ci.Mul(&tmp, shareToU)
		default:
			tmp.Mul(tmp.SetInt64(int64(ch.Rate)), shareToU)
			ci.Mul(&tmp, shareToU)
		}
		if ch.VAT {
			vatBase.Add(&vatBase, &tmp)
		}
	}
	c[lineVAT].Mul(&vatBase, tmp.SetInt64(int64(v.VAT)))
	total.SetInt64(0)
	for i := range c {
		total.Add(total, &c[i])
	}
}

// buy spends money on energy from the month's position monthWh: whole blocks
// while the money lasts, then a part of the next (the last block never ends).
func (v Version) buy(m money.Amount, monthWh int64) purchase {
	n := lineCharges + len(v.Charges)
	p := purchase{lines: make([]money.Amount, n)}
	if m <= 0 {
		return p
	}
	var (
		c      = make([]big.Int, n) // per-kWh prices in the current block
		acc    = make([]big.Int, n) // exact line totals over whole blocks, in u
		weight []*big.Int           // each block's energy charge, for BlockUse
		price  big.Int              // all-in price per Wh, in u
		rem    big.Int              // money left, in u
		tmp    big.Int
		pos    = monthWh
	)
	rem.Mul(big.NewInt(int64(m)), perCent)
	partial := false
	for _, b := range v.Blocks {
		if b.UpToWh != 0 && pos >= b.UpToWh {
			continue
		}
		v.coefficients(b.Rate, c, &price)
		if b.UpToWh != 0 {
			whole := big.NewInt(b.UpToWh - pos)
			if tmp.Mul(whole, &price).Cmp(&rem) <= 0 {
				rem.Sub(&rem, &tmp)
				for i := range c {
					acc[i].Add(&acc[i], tmp.Mul(whole, &c[i]))
				}
				p.blocks = append(p.blocks, BlockUse{Rate: b.Rate, Wh: b.UpToWh - pos})
				weight = append(weight, new(big.Int).Mul(whole, &c[lineEnergy]))
				pos = b.UpToWh
				if rem.Sign() == 0 {
					break
				}
				continue
			}
		}
		// The money ends inside this block: it buys rem/price Wh, rounded up
		// so that the customer never gets less than paid for.
		var q, r big.Int
		q.QuoRem(&rem, &price, &r)
		wh := q.Int64()
		if r.Sign() != 0 {
			wh++
		}
		p.blocks = append(p.blocks, BlockUse{Rate: b.Rate, Wh: wh})
		weight = append(weight, new(big.Int)) // set below, over the common denominator
		pos += wh
		partial = true
		break
	}
	p.wh = pos - monthWh

	// Each line's exact value is acc + rem×c/price (the part block's share of
	// the money in proportion to its price); over the common denominator
	// price×perCent it rounds to cents in one step.
	den := new(big.Int).Set(perCent)
	if partial {
		den.Mul(&price, perCent)
		for i := range acc {
			acc[i].Mul(&acc[i], &price)
			acc[i].Add(&acc[i], tmp.Mul(&rem, &c[i]))
		}
		for _, w := range weight[:len(weight)-1] {
			w.Mul(w, &price)
		}
		weight[len(weight)-1].Mul(&rem, &c[lineEnergy])
	}
	var others money.Amount
	for i := lineVAT; i < n; i++ {
		p.lines[i] = money.Amount(divRound(&acc[i], den, true))
		others += p.lines[i]
	}
	if others > m {
		others = 0
		for i := lineVAT; i < n; i++ {
			p.lines[i] = money.Amount(divRound(&acc[i], den, false))
			others += p.lines[i]
		}
	}
	p.lines[lineEnergy] = m - others
	apportion(p.lines[lineEnergy], weight, p.blocks)
	return p
}

// divRound returns num/den rounded half up or down, for non-negative values
// whose quotient fits an int64 (every line is at most the money spent).
func divRound(num, den *big.Int, halfUp bool) int64 {
	var q, r big.Int
	q.QuoRem(num, den, &r)
	if halfUp && r.Lsh(&r, 1).Cmp(den) >= 0 {
		q.Add(&q, big.NewInt(1))
	}
	return q.Int64()
}

// apportion splits total over the blocks in proportion to weight, by largest
// remainder: each gets the floor of its share, and the cents left over go to
// the largest remainders (the earlier block on a tie), so the block amounts
// add up exactly and none is negative.
func apportion(total money.Amount, weight []*big.Int, blocks []BlockUse) {
	if len(blocks) == 0 {
		return
	}
	var sum big.Int
	for _, w := range weight {
		sum.Add(&sum, w)
	}
	if sum.Sign() == 0 {
		blocks[len(blocks)-1].Amount = total
		return
	}
	rems := make([]big.Int, len(blocks))
	left := total
	t := big.NewInt(int64(total))
	var q, share big.Int
	for i := range blocks {
		q.QuoRem(share.Mul(t, weight[i]), &sum, &rems[i])
		blocks[i].Amount = money.Amount(q.Int64())
		left -= blocks[i].Amount
	}
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(&rems[a]) })
	for i := 0; left > 0; i++ {
		blocks[order[i%len(order)]].Amount++
		left--
	}
}

// mulDiv returns a×b/c for non-negative a, b and positive c with a×b/c
// below 2^63, the product held in 128 bits; rounded half up or down.
func mulDiv(a, b, c int64, halfUp bool) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	if halfUp && 2*r >= uint64(c) {
		q++
	}
	return int64(q)
}
