// Package seal encrypts the secrets Mteja must keep in the database but read
// back (a staff member's TOTP seed, a subscriber's password for CHAP, a
// router's RADIUS secret), so that a copy of the database, a backup or a
// replica's dump does not hand them over. The key lives outside the
// database: in the data directory or MTEJA_SEAL_KEY.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Sealer seals and opens secrets with one seal key. It is safe for
// concurrent use.
type Sealer struct {
	aead cipher.AEAD
	mac  []byte // the key of Digest, derived apart from the sealing key
}

// New returns a sealer for key (at least 16 bytes).
func New(key []byte) (*Sealer, error) {
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
	m := sha256.Sum256(append([]byte("mteja digest v1\x00"), key...))
	return &Sealer{aead: aead, mac: m[:]}, nil
}

// Seal encrypts plain, bound to what it is for (a user id), so that a sealed
// value copied to another row does not open.
func (s *Sealer) Seal(plain, boundTo string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(boundTo))
	return "v1:" + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrKey is returned when a sealed value does not open: the seal key is not
// the one it was sealed with.
var ErrKey = errors.New("a sealed secret does not open with this node's seal key (MTEJA_SEAL_KEY or the data directory's seal-key)")

// Open decrypts what Seal made for the same boundTo.
func (s *Sealer) Open(sealed, boundTo string) (string, error) {
	if len(sealed) < 3 || sealed[:3] != "v1:" {
		return "", fmt.Errorf("sealed secret: unknown form")
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[3:])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("sealed secret: %w", ErrKey)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(boundTo))
	if err != nil {
		return "", ErrKey
	}
	return string(plain), nil
}

// Digest is a keyed hash of a short secret (a voucher code), to find it by
// without keeping it readable. A plain hash would not do: a code of a dozen
// digits is found from its SHA-256 in moments, while this one needs the
// seal key, which is not in the database.
func (s *Sealer) Digest(secret string) string {
	h := hmac.New(sha256.New, s.mac)
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}
