package smpp

import (
	"fmt"

	"github.com/linxGnu/gosmpp/data"

	"github.com/mteja/mteja/internal/notify/sms"
)

// StatusError is a non-zero command_status in a response. It wraps the
// sms error class the status belongs to.
type StatusError struct {
	Status data.CommandStatusType
	class  error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s (0x%02X, %s): %v", e.Status, uint32(e.Status), e.Status.Desc(), e.class)
}

// Unwrap gives the sms error class.
func (e *StatusError) Unwrap() error { return e.class }

// statusError maps a command_status to its class. Statuses that say the
// message itself is wrong (address, TON/NPI, length) are permanent: sending
// it again cannot help. Everything else is worth another try, later or on
// another route; ESME_RSUBMITFAIL in particular is the SMSC's catch-all
// and often passes.
func statusError(st data.CommandStatusType) error {
	var class error
	switch st {
	case data.ESME_RTHROTTLED:
		class = sms.ErrThrottled
	case data.ESME_RINVDSTADR, data.ESME_RINVSRCADR,
		data.ESME_RINVSRCTON, data.ESME_RINVSRCNPI, data.ESME_RINVDSTTON, data.ESME_RINVDSTNPI,
		data.ESME_RINVMSGLEN, data.ESME_RINVESMCLASS, data.ESME_RINVDFTMSGID,
		data.ESME_RINVNUMDESTS, data.ESME_RINVEXPIRY, data.ESME_RINVSCHED:
		class = sms.ErrPermanent
	default:
		// ESME_RMSGQFUL, ESME_RSYSERR, ESME_RINVBNDSTS (rebind follows),
		// ESME_RSUBMITFAIL, ESME_RX_T_APPN and anything unknown.
		class = sms.ErrTemporary
	}
	return &StatusError{Status: st, class: class}
}

// needsRebind reports statuses that say the bind itself is broken.
func needsRebind(st data.CommandStatusType) bool {
	return st == data.ESME_RINVBNDSTS
}

// bindErrorIsAuth reports bind refusals that name the credentials; the
// rest (a refused or broken connection) are temporary.
func bindErrorIsAuth(st data.CommandStatusType) bool {
	switch st {
	case data.ESME_RBINDFAIL, data.ESME_RINVPASWD, data.ESME_RINVSYSID, data.ESME_RINVSYSTYP:
		return true
	}
	return false
}
