package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify/httpsms"
	"github.com/mteja/mteja/internal/payment/mpesa"
)

const simUsage = `mteja sim daraja [-addr 127.0.0.1:8090] [-shortcode 888880]   run the M-Pesa Daraja simulator
mteja sim sms [-addr 127.0.0.1:8091] [-reports URL]      run an HTTP SMS gateway that shows each SMS it is given
mteja sim pay -daraja URL -phone N -meter DRN -amount KES [-shortcode 888880]
                                           a customer pays the Paybill (C2B), through the simulator or Daraja's sandbox`

// Credentials the simulator accepts, for a `mteja serve` pointed at it.
const (
	simKey, simSecret, simInitiator, simCredential = "sim-consumer-key", "sim-consumer-secret", "sim-initiator", "sim-credential"
)

// runSim runs M-Pesa's side for a served Mteja where Safaricom cannot be
// reached: the Daraja simulator the demo and the tests use, on its own
// port, and a customer paying through it.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, simUsage)
	}
	fs := flag.NewFlagSet("sim "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", map[string]string{"sms": "127.0.0.1:8091"}[args[0]], "listen `HOST:PORT` (daraja 127.0.0.1:8090, sms 127.0.0.1:8091)")
	shortCode := fs.String("shortcode", "888880", "the Paybill `number`")
	daraja := fs.String("daraja", "", "the simulator's or Daraja sandbox's base `URL`")
	msisdn := fs.String("phone", "", "the paying customer's `number`")
	meter := fs.String("meter", "", "the account typed: the meter `number`")
	amount := fs.String("amount", "", "`KES`, whole shillings")
	reports := fs.String("reports", "", "the delivery report callback `URL` ('mteja callbacks' shows it)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch args[0] {
	case "daraja":
		if *addr == "" {
			*addr = "127.0.0.1:8090"
		}
		return simDaraja(ctx, *addr, *shortCode, stdout, stderr)
	case "sms":
		return simSMS(ctx, *addr, *reports, stdout)
	case "pay":
		if *daraja == "" || *msisdn == "" || *meter == "" || *amount == "" {
			return fmt.Errorf("%w: sim pay needs -daraja, -phone, -meter and -amount", errUsage)
		}
		a, err := money.Parse(*amount)
		if err != nil || a <= 0 || !a.IsWhole() {
			return fmt.Errorf("%w: -amount %q: whole shillings more than zero", errUsage, *amount)
		}
		c := &mpesa.Client{BaseURL: *daraja, ConsumerKey: simKey, ConsumerSecret: simSecret, ShortCode: *shortCode}
		r, err := c.SimulateC2B(ctx, *msisdn, *meter, a)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s paid %s for %s\n", r.ResponseDescription, *msisdn, a.Format("KES"), *meter)
		return nil
	}
	return fmt.Errorf("%w:\n%s", errUsage, simUsage)
}

func simDaraja(ctx context.Context, addr, shortCode string, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	if !loopback(ln.Addr().String()) {
		ln.Close()
		return fmt.Errorf("%w: -addr %s: the simulator makes payments for whoever asks; it listens on this machine only", errUsage, addr)
	}
	sim := mpesa.NewSimulator(mpesa.SimConfig{ShortCode: shortCode, ConsumerKey: simKey, ConsumerSecret: simSecret, SecurityCredential: simCredential,
		STKDelay: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	defer sim.Close()
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	u := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, `M-Pesa Daraja simulator at %[1]s, Paybill %[2]s. Point mteja serve at it:
  MTEJA_DARAJA_URL=%[1]s MTEJA_DARAJA_SHORTCODE=%[2]s \
  MTEJA_DARAJA_CONSUMER_KEY=%[3]s MTEJA_DARAJA_CONSUMER_SECRET=%[4]s MTEJA_DARAJA_PASSKEY=%[5]s \
  MTEJA_DARAJA_INITIATOR=%[6]s MTEJA_DARAJA_SECURITY_CREDENTIAL=%[7]s MTEJA_DARAJA_ALLOW=127.0.0.0/8
then register the C2B URLs with it: mteja callbacks -register, and pay:
  mteja sim pay -daraja %[1]s -phone 0708374149 -meter METER -amount 500
`, u, shortCode, simKey, simSecret, sim.Passkey(), simInitiator, simCredential)
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func simSMS(ctx context.Context, addr, reports string, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	if !loopback(ln.Addr().String()) {
		ln.Close()
		return fmt.Errorf("%w: -addr %s: the simulator listens on this machine only", errUsage, addr)
	}
	gw := httpsms.NewSimulator(simKey, simSecret)
	defer gw.Close()
	if reports != "" {
		gw.SetCallback(reports, 500*time.Millisecond)
	}
	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintf(stdout, "HTTP SMS gateway simulator at http://%[1]s. Point mteja serve at it:\n  MTEJA_HTTPSMS_URL=http://%[1]s MTEJA_HTTPSMS_USER=%[2]s MTEJA_HTTPSMS_KEY=%[3]s\nEach SMS it is given shows here.\n",
		ln.Addr(), simKey, simSecret)
	shown := 0
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		ms := gw.Messages()
		for _, m := range ms[shown:] {
			fmt.Fprintf(stdout, "\n%s to %s:\n%s\n", m.At.Format("15:04:05"), m.To, indent(m.Text))
		}
		shown = len(ms)
	}
}
