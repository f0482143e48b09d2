// Package sms holds what every SMS route shares: the message and result
// types, delivery receipts, inbound messages, the error classes a route
// reports, and GSM 03.38 / UCS-2 encoding and splitting.
//
// Routes (SMPP, HTTP gateways) return errors that wrap exactly one of the
// sentinel errors below, so the caller decides what to do with errors.Is
// without knowing the protocol.
package sms

import (
	"errors"
	"time"
)

// Message is one SMS to send.
type Message struct {
	// ID is ours and unique; routes use it only for logs and references.
	ID string
	// To is the recipient in international digits without '+' ("254712345678").
	To string
	// From is the sender ID: an alphanumeric name ("KPLC") or a number.
	From string
	// Text is the body as UTF-8; the route picks GSM 03.38 or UCS-2.
	Text string
}

// SubmitResult is what a route accepted.
type SubmitResult struct {
	// ProviderIDs holds the provider's message id for each part, in order.
	// A route that splits on the provider's side (HTTP gateways) reports a
	// single id for the whole message.
	ProviderIDs []string
	// Parts is the number of billed parts.
	Parts int
}

// Inbound is a mobile-originated SMS.
type Inbound struct {
	From       string
	To         string
	Text       string
	At         time.Time
	ProviderID string
}

// Error classes. Every error a route returns from a send wraps one of them.
var (
	// ErrThrottled: the provider asked us to slow down. Nothing was
	// accepted; retry on the same route after a pause.
	ErrThrottled = errors.New("throttled")
	// ErrTemporary: not accepted this time (queue full, system error,
	// connection lost before the request left us). Safe to retry.
	ErrTemporary = errors.New("temporary failure")
	// ErrUnknownOutcome: the request left us but no answer came back
	// (connection lost after the submit). The message may have been sent,
	// so do not resend on the same route blindly: wait for a receipt or
	// accept a possible duplicate deliberately.
	ErrUnknownOutcome = errors.New("outcome unknown")
	// ErrPermanent: the provider refused this message for good (bad
	// number, blacklisted, invalid sender). Do not retry.
	ErrPermanent = errors.New("permanent failure")
	// ErrBindFailed: the route cannot log in (wrong credentials, account
	// barred). Retrying the message elsewhere makes sense; retrying the
	// route does not until someone fixes it.
	ErrBindFailed = errors.New("bind failed")
)
