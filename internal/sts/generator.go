package sts

import (
	"context"
	"fmt"
)

// Generator makes tokens for meters. SoftwareGenerator holds the vending
// keys in memory; a hardware security module can take its place behind the
// same interface, so callers never handle key material.
//
// Callers choose the TID (unique and increasing per meter, see Next) and the
// random nibble, so a token can be made again exactly (a reissue) and tests
// can pin every digit.
type Generator interface {
	// Credit makes a credit token (class 0).
	Credit(ctx context.Context, m Meter, req CreditRequest) (Token, error)
	// Management makes a set power limit, clear credit or clear tamper token.
	Management(ctx context.Context, m Meter, req ManagementRequest) (Token, error)
	// KeyChange makes the tokens that move a meter to a new key, in the
	// order they must be entered.
	KeyChange(ctx context.Context, m Meter, req KeyChangeRequest) ([]Token, error)
}

// CreditRequest is one credit token's content.
type CreditRequest struct {
	Kind   Subclass // Electricity, Water, Gas or Time
	Tenths uint64   // tenths of a unit (0.1 kWh), rounded up to what the token carries (see RoundAmount)
	TID    TID
	RND    uint8 // 0-15
}

// Fields are the token fields of the request.
func (r CreditRequest) Fields() (Fields, error) {
	if r.Kind > Time {
		return Fields{}, fmt.Errorf("credit token: subclass %d: want 0 electricity, 1 water, 2 gas or 3 time", r.Kind)
	}
	a, err := EncodeAmount(r.Tenths)
	if err != nil {
		return Fields{}, fmt.Errorf("%s token: %w", Describe(ClassCredit, r.Kind), err)
	}
	return Fields{Class: ClassCredit, Subclass: r.Kind, RND: r.RND, TID: r.TID, Amount: a}, nil
}

// ManagementRequest is one management token's content.
type ManagementRequest struct {
	Kind     Subclass // SetMaxPower, ClearCredit, ClearTamper or SetMaxPhaseUnbalance
	TID      TID
	RND      uint8  // 0-15
	Watts    uint64 // SetMaxPower, SetMaxPhaseUnbalance; rounded up like amounts
	Register uint16 // ClearCredit: 0 electricity ... AllRegisters
}

// Fields are the token fields of the request.
func (r ManagementRequest) Fields() (Fields, error) {
	f := Fields{Class: ClassManagement, Subclass: r.Kind, RND: r.RND, TID: r.TID}
	switch r.Kind {
	case SetMaxPower, SetMaxPhaseUnbalance:
		a, err := EncodeAmount(r.Watts)
		if err != nil {
			return Fields{}, fmt.Errorf("%s token: %d W: %w", Describe(ClassManagement, r.Kind), r.Watts, err)
		}
		f.Amount = a
	case ClearCredit:
		f.Register = r.Register
	case ClearTamper:
	default:
		return Fields{}, fmt.Errorf("management token: subclass %d: want 0 max power, 1 clear credit, 5 clear tamper or 6 phase unbalance (key changes have their own request)", r.Kind)
	}
	return f, nil
}

// KeyChangeRequest moves a meter to new key parameters.
type KeyChangeRequest struct {
	// New is the meter after the change: the same DRN, with the new SGC, TI,
	// KRN, KT, KEN and base date. Only EA07 (64-bit) new keys are supported.
	New Meter
	// Rollover makes the meter clear its TID memory. It is set anyway when
	// the base date changes.
	Rollover bool
}

// GroupKey is a vending key for one supply group and key revision.
type GroupKey struct {
	SGC uint32
	KRN uint8
	Key VendingKey
}

type groupID struct {
	sgc uint32
	krn uint8
}

// SoftwareGenerator makes tokens with vending keys held in memory. It is
// safe for concurrent use. Printing it shows no key material.
//
// It derives the decoder key for every token and keeps none: a derivation
// costs about 0.15 µs (DKGA02) or 0.3 µs (DKGA04), less than a shared cache's
// lookup and upkeep cost across many meters (see the benchmarks), and no
// decoder keys linger in memory.
type SoftwareGenerator struct {
	def    *vendingKeyState
	groups map[groupID]*vendingKeyState
}

// NewSoftwareGenerator makes a generator whose meters use vk, except those
// whose supply group and key revision have their own key in groups.
func NewSoftwareGenerator(vk VendingKey, groups ...GroupKey) (*SoftwareGenerator, error) {
	def, err := newVendingKeyState(vk)
	if err != nil {
		return nil, err
	}
	g := &SoftwareGenerator{def: def, groups: make(map[groupID]*vendingKeyState)}
	for _, gk := range groups {
		s, err := newVendingKeyState(gk.Key)
		if err != nil {
			return nil, fmt.Errorf("supply group %s key revision %d: %w", sgcString(gk.SGC), gk.KRN, err)
		}
		g.groups[groupID{gk.SGC, gk.KRN}] = s
	}
	return g, nil
}

// DecoderKey derives the decoder key of a meter.
func (g *SoftwareGenerator) DecoderKey(m Meter) (DecoderKey, error) {
	if err := m.Validate(); err != nil {
		return DecoderKey{}, err
	}
	vk := g.def
	if s, ok := g.groups[groupID{m.SGC, m.KRN}]; ok {
		vk = s
	}
	k, err := vk.derive(m.keyParams())
	if err != nil {
		return DecoderKey{}, fmt.Errorf("decoder key for meter %s: %w", m.DRN, err)
	}
	return k, nil
}

// Credit makes a credit token.
func (g *SoftwareGenerator) Credit(_ context.Context, m Meter, req CreditRequest) (Token, error) {
	f, err := req.Fields()
	if err != nil {
		return Token{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	return g.issue(m, f)
}

// Management makes a management token.
func (g *SoftwareGenerator) Management(_ context.Context, m Meter, req ManagementRequest) (Token, error) {
	f, err := req.Fields()
	if err != nil {
		return Token{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	return g.issue(m, f)
}

func (g *SoftwareGenerator) issue(m Meter, f Fields) (Token, error) {
	k, err := g.DecoderKey(m)
	if err != nil {
		return Token{}, err
	}
	if err := m.checkExpiry(f.TID); err != nil {
		return Token{}, err
	}
	t, err := Issue(f, k)
	if err != nil {
		return Token{}, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	return t, nil
}

// KeyChange makes the two key change tokens, 1st section first.
func (g *SoftwareGenerator) KeyChange(_ context.Context, m Meter, req KeyChangeRequest) ([]Token, error) {
	if req.New.DRN != m.DRN {
		return nil, fmt.Errorf("key change for meter %s: the new parameters are for meter %s", m.DRN, req.New.DRN)
	}
	cur, err := g.DecoderKey(m)
	if err != nil {
		return nil, fmt.Errorf("key change: current key: %w", err)
	}
	next, err := g.DecoderKey(req.New)
	if err != nil {
		return nil, fmt.Errorf("key change: new key: %w", err)
	}
	kc := KeyChange{
		KEN: req.New.KEN, KRN: req.New.KRN, KT: req.New.KT, TI: req.New.TI,
		Rollover: req.Rollover || req.New.BaseDate != m.BaseDate,
	}
	ts, err := KeyChangeTokens(cur, next, kc)
	if err != nil {
		return nil, fmt.Errorf("meter %s: %w", m.DRN, err)
	}
	return ts[:], nil
}

// String shows no key material.
func (g *SoftwareGenerator) String() string {
	return fmt.Sprintf("SoftwareGenerator(%d group keys, %s)", len(g.groups), redacted)
}

// GoString shows no key material.
func (g *SoftwareGenerator) GoString() string { return g.String() }

// Format shows no key material, whatever the verb: the prepared keys sit in
// unexported fields that fmt would otherwise print raw.
func (g *SoftwareGenerator) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(g.String())) }
