package mpesa

// Validation result codes: what a validation reply may answer. M-Pesa shows
// the customer a message chosen by the code.
const (
	C2BAccept           = "0"
	C2BInvalidMSISDN    = "C2B00011"
	C2BInvalidAccount   = "C2B00012" // unknown meter or account number
	C2BInvalidAmount    = "C2B00013"
	C2BInvalidKYC       = "C2B00014"
	C2BInvalidShortCode = "C2B00015"
	C2BOtherError       = "C2B00016"
)

// ValidationResponse is the reply to a C2B validation request. ResultCode is
// a string here, unlike the confirmation reply.
type ValidationResponse struct {
	ResultCode string `json:"ResultCode"`
	ResultDesc string `json:"ResultDesc"`
	// ThirdPartyTransID, when set, is echoed in the confirmation; it can carry
	// our own reference for the payment.
	ThirdPartyTransID string `json:"ThirdPartyTransID,omitempty"`
}

// Accept lets the payment through.
func Accept() ValidationResponse {
	return ValidationResponse{ResultCode: C2BAccept, ResultDesc: "Accepted"}
}

// Reject refuses the payment with one of the C2B000xx codes; M-Pesa keeps the
// customer's money and tells them why.
func Reject(code string) ValidationResponse {
	return ValidationResponse{ResultCode: code, ResultDesc: "Rejected"}
}

// Ack is the reply to a confirmation, an STK callback or a result callback.
// ResultCode is a number here.
type Ack struct {
	ResultCode int    `json:"ResultCode"`
	ResultDesc string `json:"ResultDesc"`
}

// The acknowledgements Daraja expects. Send them only after the payment is
// stored durably: the acknowledgement is our promise not to lose it.
var (
	ConfirmationAck = Ack{ResultCode: 0, ResultDesc: "Success"}
	STKCallbackAck  = Ack{ResultCode: 0, ResultDesc: "Accepted"}
	ResultAck       = Ack{ResultCode: 0, ResultDesc: "Accepted"}
)
