package mpesa

import "strconv"

// STK push result codes, as the callback and the STK query report them.
const (
	STKSuccess           = 0
	STKInsufficientFunds = 1
	STKBelowMinimum      = 2
	STKAboveMaximum      = 3
	STKDailyLimit        = 4
	STKMaxBalance        = 8
	// STKDuplicate: the same amount from the same customer within two
	// minutes. Never retry an STK push automatically inside that window.
	STKDuplicate        = 17
	STKExpired          = 1019
	STKSystemError      = 1025
	STKCancelled        = 1032
	STKUnreachable      = 1037
	STKWrongPIN         = 2001
	STKNotPermitted     = 2028
	STKCredentialLocked = 8006
)

var stkResultNames = map[int]string{
	STKSuccess:           "paid",
	STKInsufficientFunds: "insufficient funds",
	STKBelowMinimum:      "amount below the minimum",
	STKAboveMaximum:      "amount above the maximum",
	STKDailyLimit:        "daily limit reached",
	STKMaxBalance:        "maximum balance reached",
	STKDuplicate:         "same amount from the same customer within 2 minutes",
	STKExpired:           "prompt expired",
	STKSystemError:       "prompt too long or system error",
	STKCancelled:         "cancelled by the customer",
	STKUnreachable:       "phone unreachable",
	STKWrongPIN:          "wrong PIN",
	STKNotPermitted:      "not permitted",
	STKCredentialLocked:  "customer's PIN is locked",
}

// STKResultName is a short English name for an STK result code, for logs and
// staff screens ("cancelled by the customer"); unknown codes are named by
// number.
func STKResultName(code int) string {
	if s, ok := stkResultNames[code]; ok {
		return s
	}
	return "result code " + strconv.Itoa(code)
}
