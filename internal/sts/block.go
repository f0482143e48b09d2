package sts

import "fmt"

// Fields are the contents of a token's data block in plain form. Which
// fields count depends on Class and Subclass; the others stay zero:
//
//	credit (class 0), power limits, clear credit, clear tamper (class 2):
//	    RND, TID and Amount (credit, power limits) or Register (clear credit)
//	key change 1st section (2/3): KENHalf (KENHO), KRN, Rollover, KT, KeyHalf (NKHO)
//	key change 2nd section (2/4): KENHalf (KENLO), TI, KeyHalf (NKLO)
//	test (class 1): Control and Manufacturer
type Fields struct {
	Class    Class
	Subclass Subclass
	RND      uint8 // 4 bits
	TID      TID
	// Amount is tenths of a unit in credit tokens, watts in power limits.
	Amount   Amount
	Register uint16 // clear credit: 0 electricity ... AllRegisters

	KENHalf  uint8 // 4 bits: the key expiry number's high (1st section) or low nibble
	KRN      uint8 // 4 bits
	Rollover bool  // the meter clears its TID memory (base date change)
	KT       uint8 // 2 bits
	TI       uint8 // 8 bits
	KeyHalf  uint32

	Control      uint64 // 36 bits (subclass 0) or 28 bits (subclass 1)
	Manufacturer uint16 // 8 bits (subclass 0) or 16 bits (subclass 1)
}

// standard is the common layout subclass(4) rnd(4) TID(24) value(16), above the CRC.
func (f Fields) standard(value uint16) (uint64, error) {
	if f.RND > 15 {
		return 0, fmt.Errorf("random number %d: want 0-15", f.RND)
	}
	if f.TID > MaxTID {
		return 0, fmt.Errorf("TID %d: more than 24 bits", f.TID)
	}
	return uint64(f.Subclass)<<60 | uint64(f.RND)<<56 | uint64(f.TID)<<32 | uint64(value)<<16, nil
}

// Block returns the plain 64-bit data block with its CRC.
func (f Fields) Block() (uint64, error) {
	d, err := f.data()
	if err != nil {
		return 0, fmt.Errorf("%s token: %w", Describe(f.Class, f.Subclass), err)
	}
	return d | uint64(CRC(uint64(f.Class)<<48|d>>16)), nil
}

// data is the block's top 48 bits, in place, CRC zero.
func (f Fields) data() (uint64, error) {
	switch f.Class {
	case ClassCredit:
		if f.Subclass > Time {
			return 0, fmt.Errorf("subclass %d not supported (0-3)", f.Subclass)
		}
		return f.standard(uint16(f.Amount))
	case ClassTest:
		switch f.Subclass {
		case TestControl36:
			if f.Control >= 1<<36 || f.Manufacturer >= 1<<8 {
				return 0, fmt.Errorf("control %#x or manufacturer code %d too large (36 and 8 bits)", f.Control, f.Manufacturer)
			}
			return f.Control<<24 | uint64(f.Manufacturer)<<16, nil
		case TestControl28:
			if f.Control >= 1<<28 {
				return 0, fmt.Errorf("control %#x too large (28 bits)", f.Control)
			}
			return 1<<60 | f.Control<<32 | uint64(f.Manufacturer)<<16, nil
		}
		return 0, fmt.Errorf("subclass %d not supported (0-1)", f.Subclass)
	case ClassManagement:
		switch f.Subclass {
		case SetMaxPower, SetMaxPhaseUnbalance:
			return f.standard(uint16(f.Amount))
		case ClearCredit:
			return f.standard(f.Register)
		case ClearTamper:
			return f.standard(0)
		case SetKey1:
			if f.KENHalf > 15 || f.KRN > 15 || f.KT > 3 {
				return 0, fmt.Errorf("KEN half %d, KRN %d or key type %d out of range (4, 4 and 2 bits)", f.KENHalf, f.KRN, f.KT)
			}
			var ro uint64
			if f.Rollover {
				ro = 1
			}
			return 3<<60 | uint64(f.KENHalf)<<56 | uint64(f.KRN)<<52 | ro<<51 | uint64(f.KT)<<48 | uint64(f.KeyHalf)<<16, nil
		case SetKey2:
			if f.KENHalf > 15 {
				return 0, fmt.Errorf("KEN half %d out of range (4 bits)", f.KENHalf)
			}
			return 4<<60 | uint64(f.KENHalf)<<56 | uint64(f.TI)<<48 | uint64(f.KeyHalf)<<16, nil
		}
		return 0, fmt.Errorf("subclass %d not supported (0, 1, 3, 4, 5, 6)", f.Subclass)
	}
	return 0, fmt.Errorf("class %d not supported (0-2)", f.Class)
}

// fieldsOf reads a plain block of the given class back into fields. known is
// false for a subclass this package does not make; the fields then hold only
// class and subclass.
func fieldsOf(c Class, b uint64) (f Fields, known bool) {
	f.Class = c
	f.Subclass = Subclass(b >> 60)
	std := func() {
		f.RND = uint8(b >> 56 & 15)
		f.TID = TID(b >> 32 & uint64(MaxTID))
	}
	v16 := uint16(b >> 16)
	switch c {
	case ClassCredit:
		if f.Subclass > Time {
			return f, false
		}
		std()
		f.Amount = Amount(v16)
		return f, true
	case ClassTest:
		switch f.Subclass {
		case TestControl36:
			f.Control = b >> 24 & (1<<36 - 1)
			f.Manufacturer = uint16(b >> 16 & 0xFF)
			return f, true
		case TestControl28:
			f.Control = b >> 32 & (1<<28 - 1)
			f.Manufacturer = v16
			return f, true
		}
	case ClassManagement:
		switch f.Subclass {
		case SetMaxPower, SetMaxPhaseUnbalance:
			std()
			f.Amount = Amount(v16)
			return f, true
		case ClearCredit:
			std()
			f.Register = v16
			return f, true
		case ClearTamper:
			std()
			return f, v16 == 0
		case SetKey1:
			f.KENHalf = uint8(b >> 56 & 15)
			f.KRN = uint8(b >> 52 & 15)
			f.Rollover = b>>51&1 != 0
			f.KT = uint8(b >> 48 & 3)
			f.KeyHalf = uint32(b >> 16)
			return f, b>>50&1 == 0
		case SetKey2:
			f.KENHalf = uint8(b >> 56 & 15)
			f.TI = uint8(b >> 48)
			f.KeyHalf = uint32(b >> 16)
			return f, true
		}
	}
	return Fields{Class: c, Subclass: f.Subclass}, false
}
