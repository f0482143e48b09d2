package mpesa

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
)

func TestValidCallbackPath(t *testing.T) {
	t.Parallel()
	for url, ok := range map[string]bool{
		"https://example.co.ke/daraja/SECRET/c2b/confirmation": true,
		"http://127.0.0.1:8080/daraja/x/stk/callback":          true,
		"https://example.co.ke/mpesa/confirm":                  false,
		"https://example.co.ke/M-PESA/confirm":                 false,
		"https://SafariCom.example.co.ke/c":                    false,
		"https://example.co.ke/run.exe":                        false,
		"https://example.co.ke/Exec/c":                         false,
		"https://example.co.ke/cmd/c":                          false,
		"https://example.co.ke/mySQL/c":                        false,
		"https://example.co.ke/status/QUERY":                   false,
		"https://executive.co.ke/c":                            false, // the whole URL counts
		"ftp://example.co.ke/c":                                false,
		"/daraja/c2b/confirmation":                             false,
		"":                                                     false,
		"https://exa mple.co.ke/%zz":                           false,
	} {
		if err := ValidCallbackPath(url); (err == nil) != ok {
			t.Errorf("ValidCallbackPath(%q) = %v", url, err)
		}
	}
}

func TestErrorHelpersIgnoreOtherErrors(t *testing.T) {
	t.Parallel()
	plain := errors.New("x")
	for name, fn := range map[string]func(error) bool{
		"IsInvalidToken": IsInvalidToken, "ShouldBackOff": ShouldBackOff, "IsDuplicate": IsDuplicate,
		"IsAlreadyRegistered": IsAlreadyRegistered, "IsProcessing": IsProcessing,
	} {
		if fn(nil) || fn(plain) || fn(&APIError{Code: "400.002.02"}) {
			t.Errorf("%s matched a different error", name)
		}
	}
	wrapped := fmt.Errorf("stk push: %w", &APIError{Code: CodeMissingToken})
	if !IsInvalidToken(wrapped) {
		t.Error("IsInvalidToken misses a wrapped 401.002.01")
	}
	e := &APIError{HTTPStatus: 404, RequestID: "r-1", Code: CodeInvalidToken, Message: "Invalid Access Token"}
	if got := e.Error(); got != "daraja: 404.001.03 Invalid Access Token (HTTP 404, request r-1)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestSTKResultName(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]string{
		STKCancelled: "cancelled by the customer", STKInsufficientFunds: "insufficient funds",
		STKUnreachable: "phone unreachable", STKWrongPIN: "wrong PIN", 4242: "result code 4242",
	} {
		if got := STKResultName(code); got != want {
			t.Errorf("STKResultName(%d) = %q", code, got)
		}
	}
}

func TestValidationReplies(t *testing.T) {
	t.Parallel()
	if r := Accept(); r.ResultCode != "0" || r.ResultDesc != "Accepted" {
		t.Errorf("Accept() = %+v", r)
	}
	if r := Reject(C2BInvalidAmount); r.ResultCode != "C2B00013" || r.ResultDesc != "Rejected" {
		t.Errorf("Reject() = %+v", r)
	}
}

func TestEncryptInitiatorPassword(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: sampleTime, NotAfter: sampleTime.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cred, err := EncryptInitiatorPassword(certPEM, "Safaricom999!*!")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := rsa.DecryptPKCS1v15(nil, key, ct)
	if err != nil || string(plain) != "Safaricom999!*!" {
		t.Errorf("decrypted %q, %v", plain, err)
	}
	if _, err := EncryptInitiatorPassword([]byte("not pem"), "x"); err == nil {
		t.Error("accepted a non-PEM certificate")
	}
}

func TestReceiptsAreUniqueAndShaped(t *testing.T) {
	t.Parallel()
	s := NewSimulator(SimConfig{Seed: 1})
	defer s.Close()
	at := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC) // already the 25th in EAT
	seen := map[string]bool{}
	s.mu.Lock()
	for range 5000 {
		r := s.newReceipt(at)
		if !isReceipt(r) || r[:3] != "UKP" || seen[r] {
			t.Fatalf("receipt %q (seen before: %v)", r, seen[r])
		}
		seen[r] = true
	}
	s.mu.Unlock()
	s.mu.Lock()
	if r := s.newReceipt(time.Date(2019, 12, 19, 7, 0, 0, 0, time.UTC)); r[:3] != "NLJ" {
		t.Errorf("2019-12-19 receipt %q, want NLJ... like Daraja's NLJ7RT61SV", r)
	}
	s.mu.Unlock()
}

// TestSimulatorUnderLoad runs payments, pushes and queries at once; with
// -race it proves the simulator safe for concurrent use.
func TestSimulatorUnderLoad(t *testing.T) {
	t.Parallel()
	b := setup(t, SimConfig{})
	b.register(t, "v1")
	b.sim.SetFaults(Faults{Copies: 2, Concurrent: true})
	const n = 20
	var wg sync.WaitGroup
	receipts := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			r, err := b.sim.PayBill(t.Context(), "0708374149", "54500320905", money.MustFromMajor(int64(10+i)))
			if err != nil {
				t.Error(err)
				return
			}
			receipts <- r
		})
		wg.Go(func() {
			resp, err := b.client.STKPush(t.Context(), push(b, "0711000000", money.MustFromMajor(5)))
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = b.client.STKQuery(t.Context(), resp.CheckoutRequestID)
			_ = b.sim.Transactions()
			_ = b.sim.Callbacks()
		})
	}
	wg.Wait()
	b.sim.Wait()
	close(receipts)
	if got := len(b.rcv.at("/c2b/confirmation")); got != 2*n {
		t.Errorf("%d confirmations, want %d", got, 2*n)
	}
	if got := len(b.rcv.at("/stk/callback")); got != 2*n {
		t.Errorf("%d STK callbacks, want %d", got, 2*n)
	}
	unique := map[string]bool{}
	for r := range receipts {
		unique[r] = true
	}
	for _, tx := range b.sim.Transactions() {
		if tx.Kind == TxSTK {
			unique[tx.Receipt] = true
		}
	}
	if len(unique) != 2*n {
		t.Errorf("%d distinct receipts for %d payments", len(unique), 2*n)
	}
}
