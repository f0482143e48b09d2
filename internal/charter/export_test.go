package charter

// PaymentRowsRead is how many rows the last payment standard's evaluation
// read, for a test to show that on-time and already judged payments are
// not read again.
func (e *Evaluator) PaymentRowsRead() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.paymentRows
}
