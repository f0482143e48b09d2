package mpesa

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// EncryptInitiatorPassword makes a SecurityCredential: the initiator's
// password encrypted with RSA PKCS#1 v1.5 under the environment's M-Pesa
// public certificate (PEM), in base64. The result differs on every call
// (PKCS#1 v1.5 padding is random); any of them is accepted.
func EncryptInitiatorPassword(certPEM []byte, password string) (string, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return "", errors.New("security credential: certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("security credential: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return "", errors.New("security credential: certificate key is not RSA")
	}
	// Deprecated in Go for new designs, but it is what Daraja decrypts.
	out, err := rsa.EncryptPKCS1v15(rand.Reader, pub, []byte(password))
	if err != nil {
		return "", fmt.Errorf("security credential: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}
