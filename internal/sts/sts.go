// Package sts makes and reads STS prepayment tokens (IEC 62055-41): the
// 20-digit numbers a customer types into a prepaid meter.
//
// The package is pure: no I/O, no logging and no clock. Callers pass the issue
// time (as a TID), the random nibble and the keys, so the same inputs always
// give the same token and tests can pin every digit.
//
// A token is built in four steps: the fields of a 64-bit data block with a
// CRC, encryption under the meter's decoder key (EA07 or EA11), transposition
// of the two class bits, and formatting as 20 decimal digits. Decode walks the
// same steps backwards, as a meter does.
package sts

import (
	"fmt"
	"strings"
)

// Class is the token class: the 2 bits that travel outside the encrypted block.
type Class uint8

const (
	// ClassCredit transfers credit (electricity, water, gas, time).
	ClassCredit Class = 0
	// ClassTest is a non-meter-specific test or display token, not encrypted.
	ClassTest Class = 1
	// ClassManagement is a meter-specific engineering token: power limits,
	// clear credit, clear tamper and key changes.
	ClassManagement Class = 2
)

func (c Class) String() string {
	switch c {
	case ClassCredit:
		return "credit"
	case ClassTest:
		return "test"
	case ClassManagement:
		return "management"
	}
	return fmt.Sprintf("reserved class %d", uint8(c))
}

// Subclass is the 4-bit subclass; its meaning depends on the class.
type Subclass uint8

// Class 0 subclasses: what the credit is for.
const (
	Electricity Subclass = 0
	Water       Subclass = 1
	Gas         Subclass = 2
	Time        Subclass = 3
)

// Class 1 subclasses: the two test token layouts.
const (
	// TestControl36 carries 36 control bits and an 8-bit manufacturer code.
	TestControl36 Subclass = 0
	// TestControl28 carries 28 control bits and a 16-bit manufacturer code.
	TestControl28 Subclass = 1
)

// Class 2 subclasses: management tokens.
const (
	SetMaxPower          Subclass = 0
	ClearCredit          Subclass = 1
	SetKey1              Subclass = 3
	SetKey2              Subclass = 4
	ClearTamper          Subclass = 5
	SetMaxPhaseUnbalance Subclass = 6
)

// AllRegisters in a clear credit token clears every credit register.
const AllRegisters uint16 = 0xFFFF

// Describe names a token kind in words a care agent understands.
func Describe(c Class, s Subclass) string {
	switch c {
	case ClassCredit:
		switch s {
		case Electricity:
			return "electricity credit"
		case Water:
			return "water credit"
		case Gas:
			return "gas credit"
		case Time:
			return "time credit"
		}
		return fmt.Sprintf("credit of an unsupported kind (subclass %d)", uint8(s))
	case ClassTest:
		switch s {
		case TestControl36, TestControl28:
			return "meter test"
		}
		return fmt.Sprintf("test token of an unsupported kind (subclass %d)", uint8(s))
	case ClassManagement:
		switch s {
		case SetMaxPower:
			return "set maximum power limit"
		case ClearCredit:
			return "clear credit"
		case SetKey1:
			return "key change, 1st section"
		case SetKey2:
			return "key change, 2nd section"
		case ClearTamper:
			return "clear tamper condition"
		case SetMaxPhaseUnbalance:
			return "set maximum phase power unbalance limit"
		}
		return fmt.Sprintf("management token of an unsupported kind (subclass %d)", uint8(s))
	}
	return c.String()
}

// ParseCreditKind accepts "electricity", "water", "gas", "time" or "0"-"3".
func ParseCreditKind(s string) (Subclass, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "electricity", "0":
		return Electricity, nil
	case "water", "1":
		return Water, nil
	case "gas", "2":
		return Gas, nil
	case "time", "3":
		return Time, nil
	}
	return 0, fmt.Errorf("credit kind %q: want electricity, water, gas, time or 0-3", s)
}
