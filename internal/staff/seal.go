package staff

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// sealer encrypts the secrets Mteja must keep in the database but read back
// (a staff member's TOTP seed), so that a copy of the database, a backup or
// a replica's dump does not hand them over. The key lives outside the
// database: in the data directory or MTEJA_SEAL_KEY.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) < 16 {
		return nil, errors.New("seal key: at least 16 bytes")
	}
	k := sha256.Sum256(append([]byte("mteja seal v1\x00"), key...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts plain, bound to what it is for (a user id), so that a sealed
// value copied to another row does not open.
func (s *sealer) seal(plain, boundTo string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(boundTo))
	return "v1:" + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrSealKey is returned when a sealed value does not open: the seal key is
// not the one it was sealed with.
var ErrSealKey = errors.New("a sealed secret does not open with this node's seal key (MTEJA_SEAL_KEY or the data directory's seal-key)")

func (s *sealer) open(sealed, boundTo string) (string, error) {
	if len(sealed) < 3 || sealed[:3] != "v1:" {
		return "", fmt.Errorf("sealed secret: unknown form")
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[3:])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("sealed secret: %w", ErrSealKey)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(boundTo))
	if err != nil {
		return "", ErrSealKey
	}
	return string(plain), nil
}
