package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/ussd"
)

// simBackend is the least backend the menus run on: one meter, one token,
// purchases recorded.
type simBackend struct {
	mu   sync.Mutex
	buys []string
}

func (b *simBackend) MetersForPhone(context.Context, string) ([]ussd.Meter, error) {
	return []ussd.Meter{{DRN: "54500320905", Label: "Home"}}, nil
}
func (b *simBackend) CheckMeter(_ context.Context, _, drn string) (ussd.MeterCheck, error) {
	return ussd.MeterCheck{}, ussd.ErrMeterNotFound
}
func (b *simBackend) LastTokens(context.Context, string, string, int) ([]ussd.Token, error) {
	return []ussd.Token{{Digits: "36833915523010847777", Units: "6.13", At: time.Date(2021, 1, 4, 18, 32, 0, 0, time.UTC)}}, nil
}
func (b *simBackend) ResendTokens(context.Context, string, string, int) error { return nil }
func (b *simBackend) BuyLimits(context.Context, string) (ussd.Limits, error) {
	return ussd.Limits{Min: money.MustFromMajor(10), Max: money.MustFromMajor(35000)}, nil
}
func (b *simBackend) BuyToken(_ context.Context, msisdn, drn string, a money.Amount) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buys = append(b.buys, fmt.Sprint(msisdn, " ", drn, " ", a.Plain()))
	return nil
}
func (b *simBackend) FindPayment(context.Context, string, string) (ussd.PaymentLookup, error) {
	return ussd.PaymentLookup{State: ussd.PaymentPending}, nil
}
func (b *simBackend) RecentPurchases(context.Context, string, string, int) ([]ussd.Purchase, error) {
	return nil, nil
}
func (b *simBackend) ReportFault(context.Context, string, string, ussd.FaultKind, string) (string, error) {
	return "F1", nil
}
func (b *simBackend) OutageStatus(context.Context, string, string, string) (string, error) {
	return "", nil
}
func (b *simBackend) MeterMessages(context.Context, string) ([]ussd.MeterMessage, error) {
	return nil, nil
}
func (b *simBackend) Language(context.Context, string) (string, error)  { return "", nil }
func (b *simBackend) SetLanguage(context.Context, string, string) error { return nil }

func TestUSSDSim(t *testing.T) {
	t.Parallel()
	b := &simBackend{}
	const secret = "simtestsecret0123456789"
	srv := httptest.NewServer(ussd.NewHandler(b, ussd.Options{Gate: peer.Gate{Secret: secret, Open: true}}))
	defer srv.Close()

	tests := []struct {
		name    string
		stdin   string
		want    []string // in order, on stdout
		wantErr string   // on stderr
		buys    int
	}{
		{
			name:  "buy to the end",
			stdin: "1\n1\n500\n1\n",
			want: []string{"CON Mteja\n1 Buy token", "CON Choose a meter", "CON Meter 54500320905 Home\nEnter amount",
				"CON Buy power for KES 500", "END You will get an M-Pesa prompt to pay KES 500."},
			buys: 1,
		},
		{
			name:  "back, home and a wrong input; CRLF lines",
			stdin: "2\r\n0\r\n9\r\n2\r\n1\r\n00\r\n",
			want: []string{"CON Mteja", "CON Choose a meter", "CON Mteja", "CON Invalid choice.", "CON Choose a meter",
				"3683-3915-5230-1084-7777", "CON Mteja"},
			wantErr: "(hung up)",
		},
		{name: "hang up at once", stdin: "", want: []string{"CON Mteja"}, wantErr: "(hung up)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := b.count()
			var stdout, stderr bytes.Buffer
			err := ussdSim(context.Background(), []string{"--url", srv.URL + "/ussd/" + secret, "--phone", "0708374149"},
				strings.NewReader(tt.stdin), &stdout, &stderr)
			if err != nil {
				t.Fatalf("ussd-sim: %v\n%s", err, stderr.String())
			}
			out := stdout.String()
			for _, w := range tt.want {
				i := strings.Index(out, w)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", w, stdout.String())
				}
				out = out[i+len(w):]
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantErr)
			}
			if got := b.count() - before; got != tt.buys {
				t.Errorf("%d purchases started, want %d", got, tt.buys)
			}
		})
	}
	if b.buys[0] != "254708374149 54500320905 500.00" {
		t.Errorf("purchase %q", b.buys[0])
	}
}

func (b *simBackend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.buys)
}

func TestUSSDSimErrors(t *testing.T) {
	t.Parallel()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/plain" {
			fmt.Fprint(w, "Welcome")
			return
		}
		http.Error(w, "missing sessionId", http.StatusBadRequest)
	}))
	defer broken.Close()
	for _, tt := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"bad phone", []string{"--phone", "12"}, true, "--phone"},
		{"bad url", []string{"--url", "localhost:8080"}, true, "not an http(s) URL"},
		{"unknown flag", []string{"--nope"}, true, "nope"},
		{"stray argument", []string{"extra"}, true, `unexpected argument "extra"`},
		{"error status", []string{"--url", broken.URL + "/ussd"}, false, "400 Bad Request: missing sessionId"},
		{"no prefix", []string{"--url", broken.URL + "/plain"}, false, "starts with neither CON nor END"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := ussdSim(context.Background(), tt.args, strings.NewReader("1\n"), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, errUsage) != tt.usage {
				t.Errorf("err = %v; want one containing %q, usage error %v", err, tt.want, tt.usage)
			}
		})
	}
}
