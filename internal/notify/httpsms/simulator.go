package httpsms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/notify/sms"
)

// Simulator is an http.Handler that speaks the gateway's messaging API
// (POST /version1/messaging) and sends delivery reports to a callback URL,
// for tests and demos. It checks the apiKey header and username, answers
// ATXid_ message ids, records every message, and can fail, drop reports
// or answer slowly on command. Call Close to wait for reports in flight.
type Simulator struct {
	username, apiKey string

	mu          sync.Mutex
	callbackURL string
	reportDelay time.Duration
	latency     time.Duration
	dropReports bool
	failCode    int // recipient statusCode for the next failNext messages
	failNext    int
	httpCode    int // HTTP status for the next httpNext requests
	httpNext    int
	outcomes    map[string]reportOutcome // number suffix -> final report
	messages    []SimMessage

	client  *http.Client
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	reports chan error // errors posting reports, for tests to read
}

// SimMessage is one recipient of one request, as the Simulator saw it.
type SimMessage struct {
	MessageID   string // "None" when refused
	To          string // as posted, "+2547..."
	From        string
	Text        string
	BulkSMSMode string
	StatusCode  int
	At          time.Time
}

type reportOutcome struct{ status, reason string }

// NewSimulator returns a Simulator for the given account.
func NewSimulator(username, apiKey string) *Simulator {
	ctx, cancel := context.WithCancel(context.Background())
	return &Simulator{
		username: username, apiKey: apiKey,
		outcomes: map[string]reportOutcome{},
		client:   &http.Client{Timeout: 5 * time.Second},
		ctx:      ctx, cancel: cancel,
		reports: make(chan error, 100),
	}
}

// SetCallback makes the Simulator post a delivery report for each
// accepted message to url after delay. An empty url sends none.
func (s *Simulator) SetCallback(url string, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callbackURL, s.reportDelay = url, delay
}

// SetOutcome makes reports for numbers ending in suffix say status (e.g.
// "Failed") with failureReason reason, instead of "Success".
func (s *Simulator) SetOutcome(suffix, status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcomes[suffix] = reportOutcome{status, reason}
}

// FailNext answers recipient statusCode code for the next n messages.
func (s *Simulator) FailNext(code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCode, s.failNext = code, n
}

// FailHTTP answers the next n requests with HTTP status code and a plain
// text body, as a broken gateway or proxy would.
func (s *Simulator) FailHTTP(code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.httpCode, s.httpNext = code, n
}

// DropReports stops (or resumes) sending delivery reports.
func (s *Simulator) DropReports(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropReports = drop
}

// SetLatency delays every answer by d.
func (s *Simulator) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Messages returns every recipient handled so far.
func (s *Simulator) Messages() []SimMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SimMessage(nil), s.messages...)
}

// ReportErrors returns errors met while posting delivery reports.
func (s *Simulator) ReportErrors() []error {
	var errs []error
	for {
		select {
		case err := <-s.reports:
			errs = append(errs, err)
		default:
			return errs
		}
	}
}

// Close cancels reports not yet sent and waits for those being sent.
func (s *Simulator) Close() {
	s.cancel()
	s.wg.Wait()
}

// ServeHTTP implements the messaging endpoint.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/version1/messaging" {
		http.Error(w, "no such endpoint: "+r.URL.Path, http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method "+r.Method+" not allowed, use POST", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	latency := s.latency
	httpCode := 0
	if s.httpNext > 0 {
		s.httpNext--
		httpCode = s.httpCode
	}
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if httpCode != 0 {
		http.Error(w, "simulated failure", httpCode)
		return
	}
	if r.Header.Get("apiKey") != s.apiKey {
		http.Error(w, "The supplied authentication is invalid", http.StatusUnauthorized)
		return
	}
	form, err := readForm(r)
	if err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if form.Get("username") != s.username {
		http.Error(w, "The supplied authentication is invalid", http.StatusUnauthorized)
		return
	}
	var missing []string
	for _, f := range []string{"to", "message"} {
		if strings.TrimSpace(form.Get(f)) == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		http.Error(w, "bad request: missing field(s) "+strings.Join(missing, ", "), http.StatusBadRequest)
		return
	}

	text := form.Get("message")
	_, parts, err := sms.CountParts(text)
	if err != nil {
		http.Error(w, "bad request: message: "+err.Error(), http.StatusBadRequest)
		return
	}
	var reply sendReply
	var sent int
	var total float64
	for _, to := range strings.Split(form.Get("to"), ",") {
		to = strings.TrimSpace(to)
		rc := s.accept(to, form, parts)
		if rc.StatusCode == StatusSent {
			sent++
			total += 0.8 * float64(parts)
		}
		reply.SMSMessageData.Recipients = append(reply.SMSMessageData.Recipients, rc)
	}
	reply.SMSMessageData.Message = fmt.Sprintf("Sent to %d/%d Total Cost: KES %.4f", sent, len(reply.SMSMessageData.Recipients), total)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(reply)
}

// accept handles one recipient: records it and schedules its report.
func (s *Simulator) accept(to string, form url.Values, parts int) recipient {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := recipient{Number: to, MessageID: "None", Cost: "0"}
	switch {
	case s.failNext > 0:
		s.failNext--
		rc.StatusCode = s.failCode
	case !validNumber(to):
		rc.StatusCode = StatusInvalidPhoneNumber
	default:
		rc.StatusCode = StatusSent
		rc.MessageID = newMessageID()
		rc.Cost = fmt.Sprintf("KES %.4f", 0.8*float64(parts))
	}
	rc.Status = statusNames[rc.StatusCode]
	if rc.StatusCode == StatusSent {
		rc.Status = "Success"
	}
	s.messages = append(s.messages, SimMessage{
		MessageID: rc.MessageID, To: to, From: form.Get("from"), Text: form.Get("message"),
		BulkSMSMode: form.Get("bulkSMSMode"), StatusCode: rc.StatusCode, At: time.Now(),
	})
	if rc.StatusCode == StatusSent && s.callbackURL != "" && !s.dropReports {
		out := reportOutcome{status: "Success"}
		for suffix, o := range s.outcomes {
			if strings.HasSuffix(to, suffix) {
				out = o
			}
		}
		s.scheduleReport(s.callbackURL, s.reportDelay, rc.MessageID, to, out)
	}
	return rc
}

func (s *Simulator) scheduleReport(callback string, delay time.Duration, id, to string, out reportOutcome) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
			return
		}
		form := url.Values{
			"id": {id}, "status": {out.status}, "phoneNumber": {to},
			"networkCode": {"63902"}, "retryCount": {"0"},
		}
		if out.reason != "" {
			form.Set("failureReason", out.reason)
		}
		// Not s.ctx: Close waits for a report already on its way.
		req, err := http.NewRequest(http.MethodPost, callback, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			var resp *http.Response
			if resp, err = s.client.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("callback answered %s", resp.Status)
				}
			}
		}
		if err != nil {
			select {
			case s.reports <- fmt.Errorf("report %s: %w", id, err):
			default:
			}
		}
	}()
}

func validNumber(to string) bool {
	d, ok := strings.CutPrefix(to, "+")
	return ok && isDigits(d) && len(d) >= 10 && len(d) <= 15
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "ATXid_" + hex.EncodeToString(b[:])
}
