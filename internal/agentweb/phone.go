package agentweb

import (
	"errors"

	"github.com/mteja/mteja/internal/phone"
)

var errPhone = errors.New("not a phone number")

func normalizePhone(raw string) (string, error) {
	n, err := phone.Normalize(raw)
	if err != nil {
		return "", errPhone
	}
	return n, nil
}
