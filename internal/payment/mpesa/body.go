package mpesa

import (
	"fmt"
	"io"
)

// MaxBodyBytes bounds every Daraja body we read. Real callbacks are under
// 2 KiB; 64 KiB leaves room for growth while a flood of large bodies cannot
// exhaust memory.
const MaxBodyBytes = 64 << 10

// ReadBody reads a whole body of at most MaxBodyBytes. Handlers that keep the
// raw body (to store it beside the decoded payment) read it with ReadBody and
// decode from bytes.NewReader; the decoders call it themselves otherwise.
func ReadBody(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: no body", ErrMalformed)
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(b) > MaxBodyBytes {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}
