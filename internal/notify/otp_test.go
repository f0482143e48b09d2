package notify_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// otpCode is the login code these tests text: no number, id or other
// field of theirs holds these digits.
const otpCode = "493817"

// tap records the texts handed to a route.
type tap struct {
	notify.Sender
	mu    sync.Mutex
	texts []string
}

func (p *tap) Send(ctx context.Context, m sms.Message) (sms.SubmitResult, error) {
	p.mu.Lock()
	p.texts = append(p.texts, m.Text)
	p.mu.Unlock()
	return p.Sender.Send(ctx, m)
}

func (p *tap) got(code string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.texts {
		if strings.Contains(s, code) {
			return true
		}
	}
	return false
}

// refusing refuses every message for good, as for a barred number.
type refusing struct{}

func (refusing) Send(context.Context, sms.Message) (sms.SubmitResult, error) {
	return sms.SubmitResult{}, fmt.Errorf("subscriber barred: %w", sms.ErrPermanent)
}

// TestLoginCodeWithheld: once a login code's SMS has left the queue, in
// any of the ways it can, no row of messages holds the code; while it waits
// for another try it must, and other lanes keep their text.
func TestLoginCodeWithheld(t *testing.T) {
	tests := []struct {
		name   string
		route  func(db *store.DB, t *testing.T) notify.Sender
		before func(t *testing.T, db *store.DB, clk *clock) // after enqueue, before the worker runs
		state  string
		sent   bool // the route got the code
	}{
		{"submitted", func(*store.DB, *testing.T) notify.Sender { return &notify.Sink{} }, nil, notify.StateSubmitted, true},
		{"delivered, the receipt first", func(db *store.DB, t *testing.T) notify.Sender { return &receiptFirst{db: db, t: t} }, nil, notify.StateDelivered, true},
		{"outcome unknown", func(*store.DB, *testing.T) notify.Sender { return &unknownRoute{} }, nil, notify.StateSubmitted, true},
		{"partly sent", func(*store.DB, *testing.T) notify.Sender { return &halfSent{} }, nil, notify.StateSubmitted, true},
		{"refused", func(*store.DB, *testing.T) notify.Sender { return refusing{} }, nil, notify.StateFailed, true},
		{"expired", func(*store.DB, *testing.T) notify.Sender { return &notify.Sink{} }, func(t *testing.T, db *store.DB, clk *clock) {
			clk.Add(11 * time.Minute)
		}, notify.StateExpired, false},
		{"interrupted by a crash", func(*store.DB, *testing.T) notify.Sender { return &notify.Sink{} }, func(t *testing.T, db *store.DB, clk *clock) {
			if _, err := db.Write().Exec(`UPDATE messages SET claimed_until = 1, sending_route = 'a' WHERE lane = 'otp' AND state = 'queued'`); err != nil {
				t.Fatal(err)
			}
		}, notify.StateSubmitted, false},
		{"to be tried again", func(*store.DB, *testing.T) notify.Sender { return &counting{broken: true} }, nil, notify.StateQueued, true},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(db)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each case has its own recipients, so the cases share one
				// database and its migrations.
				to := fmt.Sprintf("2547000000%02d", i)
				body, err := notify.Render("otp", "en", map[string]any{"Utility": "Mteja Power", "Code": otpCode})
				if err != nil {
					t.Fatal(err)
				}
				ref := fmt.Sprintf("login-%d", i)
				tok := token(to, fmt.Sprintf("v%d", i))
				enqueue(t, db, notify.Message{Recipient: to, Lane: notify.LaneOTP, Template: "otp", Body: body, Ref: ref}, tok)
				if tt.before != nil {
					tt.before(t, db, clk)
				}
				route := &tap{Sender: tt.route(db, t)}
				w := &notify.Worker{DB: db, Routes: []notify.Route{{Name: "a", Sender: route}}}
				drain(t, w)

				if m := get(t, db, ref); m.State != tt.state {
					t.Fatalf("login code message %s; want %s", m.State, tt.state)
				}
				if route.got(otpCode) != tt.sent {
					t.Errorf("the route got the code: %v; want %v", route.got(otpCode), tt.sent)
				}
				held := rowsHolding(t, db, otpCode)
				switch {
				case tt.state == notify.StateQueued && held != 1:
					t.Errorf("%d rows hold the code while it waits for another try; want its own", held)
				case tt.state != notify.StateQueued && held != 0:
					t.Errorf("%d rows of messages hold the code after it left the queue", held)
				}
				if tt.state != notify.StateQueued {
					if m := get(t, db, ref); m.Body != notify.WithheldBody {
						t.Errorf("body %q; want %q", m.Body, notify.WithheldBody)
					}
				}
				if m := get(t, db, tok.Ref); m.Body != tok.Body {
					t.Errorf("a token message's body became %q; want it kept", m.Body)
				}
				// What waits for another try is not the next case's.
				if _, err := db.Write().ExecContext(ctx, `DELETE FROM messages WHERE state = 'queued'`); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// rowsHolding counts the rows of messages with code in any text column.
func rowsHolding(t *testing.T, db *store.DB, code string) int {
	t.Helper()
	rows, err := db.Read().Query(`SELECT id, recipient, channel, lane, template, language, body, ref, state, route, provider_id, last_error, avoid_route, sending_route FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		cols := make([]string, 14)
		ptrs := make([]any, len(cols))
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(cols, "\x00"), code) {
			n++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
