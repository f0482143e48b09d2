package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum for argon2id (19 MiB, two passes,
// one lane), about 20 ms a hash on this class of machine. A login costs one
// hash, so a guesser gets few tries a second a core, and the quota stops
// them long before.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashPassword returns an argon2id hash in the PHC string form
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which carries its own
// parameters so that they can be raised later without breaking old hashes.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// checkPassword reports whether password matches an argon2id hash.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<22 || t > 16 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when there is no user, so that a wrong
// username costs as long as a wrong password and the answer's timing does
// not tell which names exist.
var dummyHash = func() string {
	h, err := hashPassword("no user has this password")
	if err != nil {
		panic(err)
	}
	return h
}()

// ErrWeakPassword is wrapped by the reasons a password is refused.
var ErrWeakPassword = errors.New("password refused")

// commonPasswords are refused outright: the first guesses of any guesser.
var commonPasswords = map[string]bool{
	"password1234": true, "123456789012": true, "qwertyuiopas": true, "passwordpassword": true,
	"administrator": true, "mteja1234567": true, "kenya1234567": true, "nairobi12345": true,
	"letmein12345": true, "welcome12345": true, "changeme1234": true, "iloveyou1234": true,
}

// checkStrength refuses a password too short or too easy to guess. Length
// is what counts (NIST SP 800-63B): at least 12 characters, at most 256, not
// the username, not one of the commonest.
func checkStrength(username, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < 12:
		return fmt.Errorf("%w: use at least 12 characters (a few words make a good one)", ErrWeakPassword)
	case len(password) > 256:
		return fmt.Errorf("%w: use at most 256 characters", ErrWeakPassword)
	case strings.EqualFold(password, username) || strings.Contains(strings.ToLower(password), strings.ToLower(username)) && len(username) >= 4:
		return fmt.Errorf("%w: it must not contain the username", ErrWeakPassword)
	case commonPasswords[strings.ToLower(password)] || strings.Trim(password, password[:1]) == "":
		return fmt.Errorf("%w: it is one of the first a guesser tries", ErrWeakPassword)
	}
	return nil
}

// HashSecret hashes a secret a person types other than a staff password
// (an agent's PIN) the same way: argon2id in the PHC string form.
func HashSecret(secret string) (string, error) { return hashPassword(secret) }

// CheckSecret reports whether secret matches a hash from HashSecret.
func CheckSecret(encoded, secret string) bool { return checkPassword(encoded, secret) }
