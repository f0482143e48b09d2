package mpesa_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/payment/mpesa"
)

func ExampleDecodeC2B() {
	body := `{"TransactionType":"Pay Bill","TransID":"SKL51ZDR4F","TransTime":"20261124061532",
		"TransAmount":"500.00","BusinessShortCode":"888880","BillRefNumber":"545 0032 0905",
		"MSISDN":"2547 ***** 149","FirstName":"MARY"}`
	c, err := mpesa.DecodeC2B(strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, plain := c.PlainMSISDN()
	fmt.Println(c.TransID, c.Amount.Format("KES"), c.TransTime, c.BillRef, plain)

	_, err = mpesa.DecodeC2B(strings.NewReader(`{"TransID":"SKL51ZDR4F","TransTime":"20261124061532","BusinessShortCode":"888880","TransAmount":"10.50"}`))
	fmt.Println(err)
	// Output:
	// SKL51ZDR4F KES 500.00 2026-11-24 03:15:32 +0000 UTC 545 0032 0905 false
	// decode c2b confirmation: TransAmount: must be whole shillings, got 10.50
}

// A simulator mounted inside another server, as the demo does, with a client
// pointed at it.
func ExampleSimulator() {
	sim := mpesa.NewSimulator(mpesa.SimConfig{ConsumerKey: "key", ConsumerSecret: "secret"})
	defer sim.Close()
	mux := http.NewServeMux()
	mux.Handle("/sim/daraja/", http.StripPrefix("/sim/daraja", sim))
	// go http.ListenAndServe(":8080", mux)

	client := &mpesa.Client{
		BaseURL:     "http://localhost:8080/sim/daraja",
		ConsumerKey: "key", ConsumerSecret: "secret",
		ShortCode: sim.ShortCode(), Passkey: sim.Passkey(),
	}
	sim.SetPhoneBehaviour("0711000001", mpesa.CustomerCancels)
	sim.SetFaults(mpesa.Faults{Drop: true, Kinds: []mpesa.CallbackKind{mpesa.KindConfirmation}})
	_ = client
}
