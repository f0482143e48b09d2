package ussd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSurvey is an in-memory Survey: one question waiting a phone, offered
// once unless always is set (the walk offers it on every final screen).
type memSurvey struct {
	mu      sync.Mutex
	waiting map[string]SurveyQuestion // by phone
	offered map[string]bool           // by question
	always  bool
	fail    error
	kinds   [][]string // kinds asked about, per offer
	answers []string   // "phone id score"
}

func newMemSurvey() *memSurvey {
	return &memSurvey{waiting: map[string]SurveyQuestion{}, offered: map[string]bool{}}
}

func (m *memSurvey) OfferSurvey(_ context.Context, msisdn string, kinds []string) (SurveyQuestion, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kinds = append(m.kinds, kinds)
	if m.fail != nil {
		return SurveyQuestion{}, false, m.fail
	}
	q, ok := m.waiting[msisdn]
	if !ok || !slices.Contains(kinds, q.Kind) || m.offered[q.ID] && !m.always {
		return SurveyQuestion{}, false, nil
	}
	m.offered[q.ID] = true
	return q, true, nil
}

func (m *memSurvey) AnswerSurvey(_ context.Context, msisdn, id string, score int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers = append(m.answers, fmt.Sprintf("%s %s %02d", msisdn, id, score))
	return nil
}

func (m *memSurvey) recorded() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.answers)
}

// memSteps is a StepStore shared by two handlers, as the database is by
// two nodes.
type memSteps struct{ c *onceCache }

func (m memSteps) Once(ctx context.Context, key string, _ time.Duration, f func() (string, error)) (string, error) {
	return m.c.do(ctx, key, f)
}

func TestSurveyDialogues(t *testing.T) {
	t.Parallel()
	csat := SurveyQuestion{ID: "s1", Kind: SurveyCSAT}
	nps := SurveyQuestion{ID: "s2", Kind: SurveyNPS}
	buy := []turn{dial(), typed("1"), typed("1"), typed("100")}
	for _, d := range []struct {
		name    string
		phone   string
		q       *SurveyQuestion
		turns   []turn
		answers []string
	}{
		{
			name: "CSAT under the final screen", phone: phoneOne, q: &csat,
			turns: append(slices.Clone(buy),
				typed("1", "CON You will get an M-Pesa prompt to pay KES 100. Enter your PIN; the token will come by SMS.\nHow did we do? Reply 1 (poor) to 5 (great)"),
				typed("4", "END Thank you for your answer."),
				typed("1", "END Session ended. Please dial again.")),
			answers: []string{phoneOne + " s1 04"},
		},
		{
			name: "CSAT in Swahili", phone: phoneSw, q: &csat,
			turns: []turn{dial(), typed("7"), typed("2", "CON Lugha sasa ni Kiswahili.\nTulikuhudumiaje? Jibu 1 (vibaya) hadi 5 (vizuri sana)"),
				typed("5", "END Asante kwa jibu lako.")},
			answers: []string{phoneSw + " s1 05"},
		},
		{
			name: "a wrong answer gets the scale, the question stays", phone: phoneOne, q: &csat,
			turns: append(slices.Clone(buy), typed("1", "How did we do?"),
				typed("9", "CON Please reply with a number from 1 to 5\nHow did we do?"),
				typed("x", "CON Please reply with a number from 1 to 5"),
				typed("2", "END Thank you for your answer.")),
			answers: []string{phoneOne + " s1 02"},
		},
		{
			name: "NPS: 0 is a score, not back", phone: phoneOne, q: &nps,
			turns: append(slices.Clone(buy), typed("1", "Would you recommend us? Reply 0 (no) to 10 (surely)"),
				typed("0", "END Thank you for your answer.")),
			answers: []string{phoneOne + " s2 00"},
		},
		{
			// The caller's note takes the rest of the path: a digit after
			// it would read as more of the note, so no question follows.
			name: "a fault note ends the session", phone: phoneMany, q: &csat,
			turns: []turn{dial(), typed("5"), typed("3"), typed("1"), typed("no power since noon", "END ")},
		},
		{
			name: "no question waiting: the plain END", phone: phoneOne,
			turns: append(slices.Clone(buy), typed("1", "END You will get an M-Pesa prompt to pay KES 100."),
				typed("4", "END Session ended. Please dial again.")),
		},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			sv := newMemSurvey()
			if d.q != nil {
				sv.waiting[d.phone] = *d.q
			}
			tb := setup(t, Options{Survey: sv})
			runDialogue(t, tb, "ATUid_"+d.name, d.phone, d.turns)
			if got := sv.recorded(); !slices.Equal(got, d.answers) {
				t.Errorf("answers = %q, want %q", got, d.answers)
			}
			buys, _, faults, langs := tb.b.calls()
			if len(buys)+len(faults)+len(langs) != 1 {
				t.Errorf("buys %q, faults %q, languages %q: want one step", buys, faults, langs)
			}
		})
	}
}

// TestSurveyResent resends every request of a session that answers, and
// sends its paths again on a second node: the purchase and the answer are
// each done once, and every resend gets the first screen.
func TestSurveyResent(t *testing.T) {
	t.Parallel()
	sv := newMemSurvey()
	sv.waiting[phoneOne] = SurveyQuestion{ID: "s1", Kind: SurveyCSAT}
	steps := memSteps{newOnceCache(time.Minute, 100, time.Now)}
	one := setup(t, Options{Survey: sv, Steps: steps})
	two := setup(t, Options{Survey: sv, Steps: steps})
	two.b = one.b
	two.h.b = one.b
	paths := []string{"1*1*100*1", "1*1*100*1*4", "1*1*100*1*4*3"}
	want := []string{"CON You will get an M-Pesa prompt to pay KES 100. Enter your PIN; the token will come by SMS.\nHow did we do? Reply 1 (poor) to 5 (great)",
		"END Thank you for your answer.", "END Session ended. Please dial again."}
	for i, p := range paths {
		for _, tb := range []*testBundle{one, one, two} {
			if _, body := tb.post(t, "resend", phoneOne, p); body != want[i] {
				t.Errorf("text %q: got %q, want %q", p, body, want[i])
			}
		}
	}
	// Only the first two paths again, on the second node first.
	if _, body := two.post(t, "resend", phoneOne, "1*1*100*1"); body != want[0] {
		t.Errorf("second node: got %q", body)
	}
	if buys, _, _, _ := one.b.calls(); len(buys) != 1 {
		t.Errorf("buys = %q, want one", buys)
	}
	if got := sv.recorded(); !slices.Equal(got, []string{phoneOne + " s1 04"}) {
		t.Errorf("answers = %q, want one", got)
	}
}

// TestSurveyOnlyWhenItFits: a final text that leaves no room for the
// question is shown alone, and no question is taken from the phone.
func TestSurveyOnlyWhenItFits(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{langEN, langSW} {
		sv := newMemSurvey()
		sv.waiting[phoneOne] = SurveyQuestion{ID: "s1", Kind: SurveyCSAT}
		tb := setup(t, Options{Survey: sv})
		s := &session{ctx: context.Background(), h: tb.h, id: "fit", msisdn: phoneOne, lang: lang, t: textsFor(lang)}
		room := maxScreen - prefixLen - 1 - runes(s.t.SurveyCSAT)
		asked := func(k []string) bool { return slices.Contains(k, SurveyCSAT) }
		if got := s.offer(s.ctx, strings.Repeat("x", room+1)); got != strings.Repeat("x", room+1) || slices.ContainsFunc(sv.kinds, asked) {
			t.Errorf("%s: one character too long: got %q, offers %q", lang, got, sv.kinds)
		}
		got := s.offer(s.ctx, strings.Repeat("x", room))
		sc := offered(got).render(s, "")
		if _, ok := offered(got).(surveyNode); !ok || runes(sc.reply()) != maxScreen {
			t.Errorf("%s: just fits: got %q (%d characters)", lang, sc.reply(), runes(sc.reply()))
		}
	}
}

// TestSurveyOfferFails: a backend that cannot tell costs the caller
// nothing: the final text is shown alone.
func TestSurveyOfferFails(t *testing.T) {
	t.Parallel()
	sv := newMemSurvey()
	sv.waiting[phoneOne] = SurveyQuestion{ID: "s1", Kind: SurveyCSAT}
	sv.fail = errDown
	tb := setup(t, Options{Survey: sv})
	if _, body := tb.post(t, "fail", phoneOne, "1*1*100*1"); body != "END You will get an M-Pesa prompt to pay KES 100. Enter your PIN; the token will come by SMS." {
		t.Errorf("got %q", body)
	}
	if !strings.Contains(tb.logged(), "database is down") {
		t.Errorf("log lacks the error:\n%s", tb.logged())
	}
}
