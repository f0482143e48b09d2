package ussd

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mteja/mteja/internal/peer"
	"time"
)

func TestBadRequests(t *testing.T) {
	t.Parallel()
	good := "sessionId=s1&serviceCode=%2A384%2A123%23&phoneNumber=%2B254700000001&networkCode=63902&text="
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		want                            string
	}{
		{"good", "POST", ussdPath, "application/x-www-form-urlencoded", good, 200, "CON Mteja"},
		{"charset in content type", "POST", ussdPath, "application/x-www-form-urlencoded; charset=utf-8", good, 200, "CON "},
		{"GET", "GET", ussdPath, "", "", 405, ""},
		{"JSON body", "POST", ussdPath, "application/json", `{"sessionId":"s1"}`, 400, "body must be application/x-www-form-urlencoded"},
		{"no content type", "POST", ussdPath, "", good, 400, "body must be application/x-www-form-urlencoded"},
		{"missing sessionId", "POST", ussdPath, "application/x-www-form-urlencoded", "phoneNumber=%2B254700000001&text=", 400, "missing sessionId"},
		{"long sessionId", "POST", ussdPath, "application/x-www-form-urlencoded", "sessionId=" + strings.Repeat("s", 200) + "&phoneNumber=%2B254700000001", 400, "sessionId longer than 128"},
		{"missing phoneNumber", "POST", ussdPath, "application/x-www-form-urlencoded", "sessionId=s1&text=1", 400, "missing phoneNumber"},
		{"bad phoneNumber", "POST", ussdPath, "application/x-www-form-urlencoded", "sessionId=s1&phoneNumber=12ab&text=", 400, "phoneNumber is not a mobile number"},
		{"huge body", "POST", ussdPath, "application/x-www-form-urlencoded", good + strings.Repeat("1*", 5000), 400, "body larger than 8192 bytes"},
		{"bad escape", "POST", ussdPath, "application/x-www-form-urlencoded", "sessionId=s1&phoneNumber=%zz", 400, "malformed form body"},
		{"field twice", "POST", ussdPath, "application/x-www-form-urlencoded", good + "&text=1", 400, `field "text" given 2 times`},
		{"events: missing status", "POST", ussdPath + "/events", "application/x-www-form-urlencoded", "sessionId=s1&phoneNumber=%2B254700000001", 400, "missing status"},
		{"events: JSON", "POST", ussdPath + "/events", "application/json", "{}", 400, "body must be"},
		{"unknown path", "POST", ussdPath + "/other", "application/x-www-form-urlencoded", good, 404, ""},
	}
	tb := setup(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			rec := httptest.NewRecorder()
			tb.h.ServeHTTP(rec, req)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("got %d %q; want %d containing %q", rec.Code, rec.Body.String(), tt.status, tt.want)
			}
		})
	}
}

func TestGate(t *testing.T) {
	t.Parallel()
	body := "sessionId=s1&phoneNumber=%2B254700000001&text="
	// httptest requests come from 192.0.2.1.
	for _, tt := range []struct {
		name   string
		gate   peer.Gate
		url    string
		status int
	}{
		{"right secret", peer.Gate{Secret: testSecret, Open: true}, ussdPath, 200},
		{"events, right secret", peer.Gate{Secret: testSecret, Open: true}, ussdPath + "/events", 400}, // reached: the body lacks status
		{"no secret", peer.Gate{Secret: testSecret, Open: true}, "/ussd", 404},
		{"old query form", peer.Gate{Secret: testSecret, Open: true}, "/ussd?secret=" + testSecret, 404},
		{"wrong secret", peer.Gate{Secret: testSecret, Open: true}, "/ussd/wrong-secret-0123456789", 404},
		{"secret's prefix", peer.Gate{Secret: testSecret, Open: true}, ussdPath[:len(ussdPath)-1], 404},
		{"events, wrong secret", peer.Gate{Secret: testSecret, Open: true}, "/ussd/no/events", 404},
		{"gate without secret", peer.Gate{Open: true}, "/ussd/", 404},
		{"source not allowed", peer.Gate{Secret: testSecret, Allow: peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}, ussdPath, 404},
		{"source allowed", peer.Gate{Secret: testSecret, Allow: peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}}, ussdPath, 200},
	} {
		tb := setup(t, Options{Gate: tt.gate})
		req := httptest.NewRequest("POST", tt.url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		tb.h.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%s: %s: status %d, want %d", tt.name, tt.url, rec.Code, tt.status)
		}
		if tt.status == 404 && tb.b.uses() > 0 {
			t.Errorf("%s: the backend was called %d times for a request the gate refused", tt.name, tb.b.uses())
		}
	}
}

// TestRoutes mounts the handler on another mux, as the server does.
func TestRoutes(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	mux := http.NewServeMux()
	tb.h.Routes(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Post(srv.URL+ussdPath, "application/x-www-form-urlencoded",
		strings.NewReader("sessionId=s1&phoneNumber=0700000001&text=2"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestResentRequests sends each step that changes something twice, as a
// gateway does when our first answer was slow: same screen, one action.
func TestResentRequests(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	for _, text := range []string{"1*1*500*1", "2*1*1", "5*1*1*1", "5*3*1*no power since noon", "7*1"} {
		_, first := tb.post(t, "resend", phoneMany, text)
		_, again := tb.post(t, "resend", phoneMany, text)
		if first != again || !strings.HasPrefix(first, "END ") {
			t.Errorf("text %q: resend answered %q, first %q", text, again, first)
		}
	}
	buys, resends, faults, langs := tb.b.calls()
	if len(buys) != 1 || len(resends) != 1 || len(faults) != 2 || len(langs) != 1 {
		t.Errorf("calls: buys %q, resends %q, faults %q, languages %q; want one each (two faults)", buys, resends, faults, langs)
	}
	// Reference numbers come from the first report, not a second ticket.
	_, again := tb.post(t, "resend", phoneMany, "5*1*1*1")
	if !strings.Contains(again, "FLT-2024-000123-1.") {
		t.Errorf("resent report answered %q", again)
	}
	// Another session may buy again: that is a new purchase.
	tb.post(t, "other", phoneMany, "1*1*500*1")
	if buys, _, _, _ := tb.b.calls(); len(buys) != 2 {
		t.Errorf("buys = %q, want two sessions' purchases", buys)
	}
}

// TestResentWhileRunning resends the confirmation while the STK push of the
// first request is still running: the resend waits and gets the same answer.
func TestResentWhileRunning(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	tb.b.buyGate = make(chan struct{})
	tb.b.buyEnter = make(chan struct{}, 2)
	var wg sync.WaitGroup
	bodies := make([]string, 2)
	post := func(i int) {
		defer wg.Done()
		_, bodies[i] = tb.post(t, "slow", phoneOne, "1*1*500*1")
	}
	wg.Add(2)
	go post(0)
	<-tb.b.buyEnter // the first request is inside BuyToken
	go post(1)
	close(tb.b.buyGate)
	wg.Wait()
	buys, _, _, _ := tb.b.calls()
	if len(buys) != 1 || bodies[0] != bodies[1] || !strings.HasPrefix(bodies[0], "END You will get") {
		t.Errorf("buys %q; bodies %q", buys, bodies)
	}
}

func TestResendAfterTTL(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tb := setup(t, Options{Now: clock, DedupeTTL: time.Minute})
	tb.post(t, "ttl", phoneOne, "1*1*500*1")
	mu.Lock()
	now = now.Add(59 * time.Second)
	mu.Unlock()
	tb.post(t, "ttl", phoneOne, "1*1*500*1")
	if buys, _, _, _ := tb.b.calls(); len(buys) != 1 {
		t.Fatalf("within TTL: buys = %q", buys)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	tb.post(t, "ttl", phoneOne, "1*1*500*1")
	if buys, _, _, _ := tb.b.calls(); len(buys) != 2 {
		t.Errorf("after TTL: buys = %q, want a second", buys)
	}
}

func TestTooLongPath(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	_, body := tb.post(t, "long", phoneOne, strings.Repeat("9*", maxInputs)+"1")
	if body != "END Session ended. Please dial again." {
		t.Errorf("got %q", body)
	}
}

// panicky is a backend with a bug.
type panicky struct{ *memBackend }

func (panicky) MetersForPhone(context.Context, string) ([]Meter, error) { panic("nil map") }

func TestBackendPanic(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	tb.h = NewHandler(panicky{tb.b}, tb.h.opts)
	code, body := tb.post(t, "p", phoneOne, "1")
	if code != 200 || body != "END Service unavailable, please try again" {
		t.Errorf("got %d %q", code, body)
	}
	if !strings.Contains(tb.logged(), "panic: nil map") {
		t.Errorf("panic not logged:\n%s", tb.logged())
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	var got []Event
	var mu sync.Mutex
	failNext := false
	tb := setup(t, Options{OnEvent: func(_ context.Context, ev Event) error {
		mu.Lock()
		defer mu.Unlock()
		if failNext {
			return errors.New("disk full")
		}
		got = append(got, ev)
		return nil
	}})
	full := "date=2024-05-01+10%3A00%3A00&sessionId=ATUid_1&serviceCode=%2A384%2A123%23&networkCode=63902" +
		"&phoneNumber=%2B254700000001&status=Incomplete&cost=KES+0.0100&durationInMillis=35000&hopsCount=3" +
		"&input=1%2A1&lastAppResponse=CON+Meter&errorMessage="
	post := func(body string) (int, string) {
		req := httptest.NewRequest("POST", ussdPath+"/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		tb.h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := post(full); code != 200 || body != "OK" {
		t.Fatalf("got %d %q", code, body)
	}
	want := Event{Date: "2024-05-01 10:00:00", SessionID: "ATUid_1", ServiceCode: "*384*123#", NetworkCode: "63902",
		Phone: phoneMany, Status: "Incomplete", Cost: "KES 0.0100", DurationMillis: 35000, Hops: 3,
		Input: "1*1", LastAppResponse: "CON Meter"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("event = %+v\nwant %+v", got, want)
	}
	for _, tt := range []struct{ body, want string }{
		{"status=Failed&phoneNumber=0700000001", "missing sessionId"},
		{"sessionId=a&status=Failed", "missing phoneNumber"},
		{"sessionId=a&status=Failed&phoneNumber=0700000001&durationInMillis=3s", `durationInMillis "3s"`},
		{"sessionId=a&status=Failed&phoneNumber=0700000001&hopsCount=-1", `hopsCount "-1"`},
	} {
		if code, body := post(tt.body); code != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%q: got %d %q, want 400 %q", tt.body, code, body, tt.want)
		}
	}
	mu.Lock()
	failNext = true
	mu.Unlock()
	if code, _ := post(full); code != 500 {
		t.Errorf("failed recording answered %d, want 500", code)
	}
}

func TestEventsLoggedMasked(t *testing.T) {
	t.Parallel()
	tb := setup(t, Options{})
	req := httptest.NewRequest("POST", ussdPath+"/events", strings.NewReader("sessionId=a&status=Success&phoneNumber=%2B254700000001&input=2*1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	tb.h.ServeHTTP(rec, req)
	logs := tb.logged()
	if rec.Code != 200 || !strings.Contains(logs, "2547*****001") || strings.Contains(logs, phoneMany) {
		t.Errorf("status %d, log:\n%s", rec.Code, logs)
	}
	if !slices.Contains(strings.Fields(logs), "status=Success") {
		t.Errorf("log lacks the status:\n%s", logs)
	}
}
