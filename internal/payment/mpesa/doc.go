// Package mpesa speaks Safaricom's M-Pesa Daraja API: it decodes the callbacks
// Daraja posts to us (C2B validation and confirmation, STK push results,
// transaction status and reversal results), calls Daraja (OAuth, STK push and
// query, transaction status, C2B URL registration, reversal) and simulates
// Daraja faithfully for tests and demos.
//
// Daraja's JSON drifts: amounts, result codes and expires_in arrive as numbers
// or strings, lists as an object or an array, items missing or reordered. The
// decoders accept every such form and normalise it, but a body whose structure
// is wrong or which lacks a field the payment cannot be processed without is
// refused with an error naming the field (see FieldError). Unknown extra
// fields are ignored on purpose: Safaricom adds fields without notice, and a
// confirmation (money that has already moved) must never be refused for that.
//
// Field names follow Daraja exactly, misspellings included
// (OriginatorCoversationID, RecieverIdentifierType).
//
// The package keeps no state beyond the client's cached token and the
// simulator's memory; storing payments is the caller's business.
package mpesa
