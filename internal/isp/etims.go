package isp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// KRA's eTIMS: every invoice and credit note is signed by a control unit,
// which gives it the unit's serial number, its own invoice number, a
// signature and internal data, a receipt number, and the text of the QR
// code that lets a buyer verify it with KRA. Signing happens after the
// document is stored (it is the outbox's work item): a unit that is down
// delays the signature, never the invoice, which shows "awaiting
// signature" meanwhile and is retried, backing off.

// Signature is what the control unit gives a document.
type Signature struct {
	CUSerial        string // the control unit's serial number
	CUInvoiceNumber string // the unit's own number for the document
	Signature       string // the receipt signature
	InternalData    string
	ReceiptNumber   string
	QR              string // the verification text the QR code carries
}

// Signer signs documents with a control unit: eTIMS's, or the simulator.
type Signer interface {
	Sign(ctx context.Context, doc Invoice) (Signature, error)
}

// Receipt types as eTIMS names them: a sale, or a refund (credit note).
func receiptType(kind string) string {
	if kind == KindCreditNote {
		return "R"
	}
	return "S"
}

// SimulatedUnit is a control unit for the demo and tests: it signs every
// document it is given with an HMAC of its fields, deterministic for a
// document, and says in its serial and QR text that it is a simulator.
type SimulatedUnit struct {
	Serial string // "SIM-CU-0001" when empty
	Key    []byte
	// Fail, when set, is asked before signing: an error it returns is the
	// unit's answer (tests use it for a unit that is down).
	Fail func(Invoice) error
}

// Sign signs doc.
func (u *SimulatedUnit) Sign(_ context.Context, doc Invoice) (Signature, error) {
	if u.Fail != nil {
		if err := u.Fail(doc); err != nil {
			return Signature{}, err
		}
	}
	serial := u.Serial
	if serial == "" {
		serial = "SIM-CU-0001"
	}
	mac := hmac.New(sha256.New, u.Key)
	fmt.Fprintf(mac, "%s|%s|%s|%s|%d|%d|%d|%d|%s", doc.SellerPIN, doc.Number, receiptType(doc.Kind), doc.IssuedAt.UTC().Format(time.RFC3339),
		doc.Price, doc.Net, doc.Excise, doc.VAT, serial)
	sum := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(mac.Sum(nil))
	group := func(s string) string {
		var parts []string
		for i := 0; i < len(s); i += 4 {
			parts = append(parts, s[i:min(i+4, len(s))])
		}
		return strings.Join(parts, "-")
	}
	sig := Signature{CUSerial: serial, CUInvoiceNumber: serial + "/" + strings.TrimPrefix(strings.TrimPrefix(doc.Number, "INV-"), "CN-") + receiptType(doc.Kind),
		Signature: group(sum[:16]), InternalData: group(sum[16:40]), ReceiptNumber: doc.Number}
	sig.QR = fmt.Sprintf("eTIMS SIMULATOR (not KRA): verify pin=%s cu=%s inv=%s date=%s sig=%s", doc.SellerPIN, serial, sig.CUInvoiceNumber,
		doc.IssuedAt.In(tariff.Zone).Format("20060102150405"), sig.Signature)
	return sig, nil
}

// signBatch bounds the documents one signing pass takes.
const signBatch = 50

// SignOnce signs the stored documents awaiting signature whose turn has
// come, and returns how many it signed. Each is claimed first (its next
// try pushed a minute on, guarded), so two nodes do not both send it to
// the unit; a failure is counted and retried later, backing off.
func (s *Service) SignOnce(ctx context.Context) (int, error) {
	if s.cfg.Signer == nil {
		return 0, nil
	}
	now := s.now()
	ids, err := store.Strings(ctx, s.DB.Read(), `SELECT id FROM isp_invoices WHERE signed_at = 0 AND sign_next_at <= $1 ORDER BY sign_next_at LIMIT $2`,
		store.Micros(now), signBatch)
	if err != nil {
		return 0, fmt.Errorf("documents to sign: %w", err)
	}
	done := 0
	for _, id := range ids {
		inv, claimed, err := s.claimSigning(ctx, id)
		if err != nil || !claimed {
			if err != nil {
				return done, err
			}
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		sig, serr := s.cfg.Signer.Sign(sctx, inv)
		cancel()
		err = s.DB.InTx(ctx, func(tx *store.Tx) error {
			if serr != nil {
				backoff := time.Duration(1<<min(inv.SignAttempts, 10)) * 30 * time.Second
				_, err := tx.Exec(`UPDATE isp_invoices SET sign_attempts = sign_attempts + 1, sign_error = $2, sign_next_at = $3 WHERE id = $1 AND signed_at = 0`,
					id, store.Truncate(serr.Error(), 300), store.Micros(tx.Now.Add(backoff)))
				return err
			}
			_, err := tx.Exec(`UPDATE isp_invoices SET etims_cu_serial = $2, etims_cu_number = $3, etims_signature = $4, etims_internal = $5,
				etims_receipt = $6, etims_qr = $7, signed_at = $8, sign_attempts = sign_attempts + 1, sign_error = '' WHERE id = $1 AND signed_at = 0`,
				id, sig.CUSerial, sig.CUInvoiceNumber, sig.Signature, sig.InternalData, sig.ReceiptNumber, sig.QR, store.Micros(tx.Now))
			return err
		})
		if err != nil {
			return done, fmt.Errorf("signature of %s: %w", inv.Number, err)
		}
		if serr != nil {
			s.cfg.Log.Warn("eTIMS signature failed, will retry", "invoice", inv.Number, "err", serr)
			continue
		}
		done++
	}
	return done, nil
}

// claimSigning takes a document to sign for a minute.
func (s *Service) claimSigning(ctx context.Context, id string) (Invoice, bool, error) {
	var inv Invoice
	claimed := false
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE isp_invoices SET sign_next_at = $2 WHERE id = $1 AND signed_at = 0 AND sign_next_at <= $3`,
			id, store.Micros(tx.Now.Add(time.Minute)), store.Micros(tx.Now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		claimed = true
		inv, err = scanInvoice(tx.QueryRow(`SELECT `+invoiceColumns+` FROM isp_invoices WHERE id = $1`, id))
		return err
	})
	return inv, claimed, err
}

// SignEvery is how often RunSigner looks for documents to sign.
const SignEvery = 5 * time.Second

// RunSigner signs documents until ctx ends.
func (s *Service) RunSigner(ctx context.Context) {
	if s.cfg.Signer == nil {
		return
	}
	t := time.NewTicker(SignEvery)
	defer t.Stop()
	for {
		if _, err := s.SignOnce(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("eTIMS signing", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
