package mpesa

import (
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every decode error caused by the body itself
// (not JSON, wrong structure, a missing or unreadable field). Callback
// handlers map it to a 4xx reply, never to a 500.
var ErrMalformed = errors.New("malformed daraja body")

// ErrBodyTooLarge is returned when a body exceeds MaxBodyBytes. It wraps
// ErrMalformed.
var ErrBodyTooLarge = fmt.Errorf("%w: body larger than %d bytes", ErrMalformed, MaxBodyBytes)

// FieldError says which field of a Daraja body was wrong and why. Field is a
// dotted path as Daraja names it ("Body.stkCallback.CheckoutRequestID",
// "CallbackMetadata.Item[2].Name"). It never carries the field's value when
// that could be a phone number or a name.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap makes errors.Is(err, ErrMalformed) true for every field error.
func (e *FieldError) Unwrap() error { return ErrMalformed }

func missing(field string) error { return &FieldError{Field: field, Reason: "missing"} }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
