// Package smsctest runs the test SMSC (testdata/smsc/smsc.js, on the npm
// package smpp) for tests of any package that talks SMPP.
//
// The SMSC needs node and its node_modules: run `npm ci` in
// internal/notify/smpp/testdata/smsc once. Without them Start skips the
// test with a message saying so.
package smsctest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the SMSC accepts.
const (
	SystemID = "mteja"
	Password = "secret"
)

// SkipMessage is the reason given when the SMSC cannot run here.
const SkipMessage = "SMSC tests skipped: run npm ci in internal/notify/smpp/testdata/smsc"

// SMSC is a running test SMSC.
type SMSC struct {
	// Addr is the SMPP host:port on 127.0.0.1.
	Addr string

	t       testing.TB
	control string // http://127.0.0.1:port
	http    *http.Client
}

// dir is the SMSC's folder, found from this file's place in the module so
// any package's tests can use it.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "smsc")
}

// Start runs a fresh SMSC on free ports and stops it when the test ends.
func Start(t testing.TB) *SMSC {
	t.Helper()
	d := dir()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip(SkipMessage + " (node not found)")
	}
	if _, err := os.Stat(filepath.Join(d, "node_modules", "smpp")); err != nil {
		t.Skip(SkipMessage)
	}

	cmd := exec.Command(node, "smsc.js", "0")
	cmd.Dir = d
	cmd.Env = append(os.Environ(), "SMSC_SYSTEM_ID="+SystemID, "SMSC_PASSWORD="+Password, "SMSC_CONTROL_PORT=0")
	// The SMSC exits when its stdin closes, so it cannot outlive us.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("smsc stdin: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("smsc stdout: %v", err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start smsc: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("smsc stderr:\n%s", stderr.String())
		}
	})

	ports := make(chan [2]string, 1)
	go func() {
		var control string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 && f[0] == "control" {
				control = f[1]
			}
			if len(f) == 2 && f[0] == "listening" {
				ports <- [2]string{f[1], control}
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p := <-ports:
		return &SMSC{
			Addr:    "127.0.0.1:" + p[0],
			t:       t,
			control: "http://127.0.0.1:" + p[1],
			http:    &http.Client{Timeout: 10 * time.Second},
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("smsc did not print \"listening\" within 15 s; stderr:\n%s", stderr.String())
		return nil
	}
}

// Settings are the SMSC's behaviour switches (see smsc.js); nil fields
// are left as they are.
type Settings struct {
	ReceiptDelayMs *int    `json:"receiptDelayMs,omitempty"`
	UndelivSuffix  *string `json:"undelivSuffix,omitempty"`
	RejectSuffix   *string `json:"rejectSuffix,omitempty"`
	DropReceipts   *bool   `json:"dropReceipts,omitempty"`
	SlowMs         *int    `json:"slowMs,omitempty"`
	// IDForm: decimal, hex, mixed (response hex, receipt text decimal) or
	// alternate (responses flip between hex and decimal).
	IDForm       *string `json:"idForm,omitempty"`
	ReceiptTLV   *bool   `json:"receiptTLV,omitempty"`
	ReceiptFirst *bool   `json:"receiptFirst,omitempty"`
	// ReceiptStyle: standard, or quirky (Text:, 12-digit dates, submitdate:).
	ReceiptStyle *string `json:"receiptStyle,omitempty"`
	NextID       *int64  `json:"nextId,omitempty"`
}

// Ptr helps fill Settings.
func Ptr[T any](v T) *T { return &v }

// Configure changes the SMSC's behaviour.
func (s *SMSC) Configure(set Settings) { s.post("/config", set) }

// ThrottleNext answers ESME_RTHROTTLED to the next n submits.
func (s *SMSC) ThrottleNext(n int) { s.post("/throttle", map[string]int{"next": n}) }

// ThrottleRate answers ESME_RTHROTTLED to submits above perSecond.
func (s *SMSC) ThrottleRate(perSecond int) { s.post("/throttle", map[string]int{"rate": perSecond}) }

// ThrottleShare answers ESME_RTHROTTLED to percent of all submits, spread
// evenly (with 30, three in every ten).
func (s *SMSC) ThrottleShare(percent int) { s.post("/throttle", map[string]int{"percent": percent}) }

// Unthrottle stops throttling.
func (s *SMSC) Unthrottle() { s.post("/throttle", map[string]int{}) }

// Fail answers command_status status to the next n submits.
func (s *SMSC) Fail(status uint32, n int) {
	s.post("/fail", map[string]any{"status": status, "next": n})
}

// Blackhole records the next n submits but never answers them.
func (s *SMSC) Blackhole(n int) { s.post("/blackhole", map[string]int{"next": n}) }

// Stop closes every connection and refuses new ones for d.
func (s *SMSC) Stop(d time.Duration) { s.post("/stop", map[string]int64{"ms": d.Milliseconds()}) }

// SendMO sends an inbound message to every bound session; coding is the
// data_coding (0 GSM, 8 UCS-2). It returns how many sessions got it.
func (s *SMSC) SendMO(from, to, text string, coding int) int {
	var out struct{ Sent int }
	s.do("POST", "/mo", map[string]any{"from": from, "to": to, "text": text, "coding": coding}, &out)
	return out.Sent
}

// Reset forgets records and misbehaviour.
func (s *SMSC) Reset() { s.post("/reset", nil) }

// Submit is one submit_sm as the SMSC received it.
type Submit struct {
	Seq                int    `json:"seq"`
	SystemID           string `json:"systemId"`
	Source             string `json:"source"`
	SourceTON          int    `json:"sourceTon"`
	SourceNPI          int    `json:"sourceNpi"`
	Dest               string `json:"dest"`
	DestTON            int    `json:"destTon"`
	DestNPI            int    `json:"destNpi"`
	ESMClass           int    `json:"esmClass"`
	DataCoding         int    `json:"dataCoding"`
	RegisteredDelivery int    `json:"registeredDelivery"`
	UDH                string `json:"udh"` // hex, with the UDHL octet
	Text               string `json:"text"`
	// Status is the command_status answered; -1 for a blackholed submit.
	Status    int    `json:"status"`
	MessageID string `json:"messageId"`
}

// Stats is what the SMSC counted.
type Stats struct {
	Binds           int            `json:"binds"`
	BindFailures    int            `json:"bindFailures"`
	Bound           int            `json:"bound"`
	Throttled       int            `json:"throttled"`
	Failed          int            `json:"failed"`
	ReceiptsSent    int            `json:"receiptsSent"`
	ReceiptsPending int            `json:"receiptsPending"`
	MO              int            `json:"mo"`
	Total           int            `json:"total"`
	PerDest         map[string]int `json:"perDest"` // accepted (or blackholed) submits
	Submits         []Submit       `json:"submits"`
}

// Stats returns the counters and every submit received.
func (s *SMSC) Stats() Stats {
	var st Stats
	s.do("GET", "/stats", nil, &st)
	return st
}

// Counts returns the counters without the list of submits.
func (s *SMSC) Counts() Stats {
	var st Stats
	s.do("GET", "/stats?list=0", nil, &st)
	return st
}

func (s *SMSC) post(path string, body any) { s.do("POST", path, body, nil) }

func (s *SMSC) do(method, path string, body, out any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatalf("smsc %s: %v", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.control+path, rd)
	if err != nil {
		s.t.Fatalf("smsc %s: %v", path, err)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("smsc %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("smsc %s: %s: %s", path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("smsc %s: decode %s: %v", path, b, err)
		}
	}
}

// lockedBuffer collects stderr written by the process while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Eventually polls cond every 10 ms until it holds or timeout passes, then
// fails the test with msg. For waiting on the SMSC, not for timing.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, fmt.Sprintf(msg, args...))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
