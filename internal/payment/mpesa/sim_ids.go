package mpesa

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	alnumMixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// The id makers below run with s.mu held.

func (s *Simulator) randomString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// unique draws ids from gen until one has not been issued before.
func (s *Simulator) unique(gen func() string) string {
	for {
		id := gen()
		if !s.ids[id] {
			s.ids[id] = true
			return id
		}
	}
}

// newReceipt makes an M-Pesa-shaped receipt: a letter for the year (N is
// 2019), one for the month (A is January), the day (1-9, then A for the
// 10th), then seven random upper-case letters and digits.
func (s *Simulator) newReceipt(at time.Time) string {
	at = at.In(EAT)
	year := byte('A' + ((at.Year()-2019)%26+26+13)%26)
	month := byte('A' + int(at.Month()) - 1)
	day := byte('0' + at.Day())
	if at.Day() >= 10 {
		day = byte('A' + at.Day() - 10)
	}
	prefix := string([]byte{year, month, day})
	return s.unique(func() string { return prefix + s.randomString(7, upperAlnum) })
}

// requestID is shaped like Daraja's "29115-34620561-1".
func (s *Simulator) requestID() string {
	return s.unique(func() string {
		return fmt.Sprintf("%05d-%08d-%d", 10000+s.rng.IntN(90000), 10000000+s.rng.IntN(90000000), 1+s.rng.IntN(9))
	})
}

// checkoutRequestID is shaped like "ws_CO_24112026061532123456": the EAT
// time as ddMMyyyyHHmmss and six digits.
func (s *Simulator) checkoutRequestID(at time.Time) string {
	stamp := at.In(EAT).Format("02012006150405")
	return s.unique(func() string { return fmt.Sprintf("ws_CO_%s%06d", stamp, s.rng.IntN(1000000)) })
}

// conversationID is shaped like "AG_20261124_00004e48cf7e3533f581".
func (s *Simulator) conversationID(at time.Time) string {
	day := at.In(EAT).Format("20060102")
	return s.unique(func() string { return "AG_" + day + "_" + s.randomString(20, "0123456789abcdef") })
}

// HashMSISDN is how C2B v1 shows the payer: SHA-256 of "2547...", in hex.
func HashMSISDN(msisdn string) string {
	sum := sha256.Sum256([]byte(msisdn))
	return hex.EncodeToString(sum[:])
}

// maskMSISDN is how C2B v2 shows the payer: "2547 ***** 149".
func maskMSISDN(msisdn string) string {
	if len(msisdn) < 8 {
		return strings.Repeat("*", len(msisdn))
	}
	return msisdn[:4] + " " + strings.Repeat("*", len(msisdn)-7) + " " + msisdn[len(msisdn)-3:]
}

func itoa(n int) string { return strconv.Itoa(n) }

// firstNames give simulated payers a stable first name (Daraja now sends
// the first name only).
var firstNames = []string{"JOHN", "MARY", "WANJIKU", "OTIENO", "AKINYI", "KAMAU", "CHEPKOECH", "MUTUA"}

func firstNameFor(msisdn string) string {
	sum := 0
	for _, c := range msisdn {
		sum += int(c)
	}
	return firstNames[sum%len(firstNames)]
}
