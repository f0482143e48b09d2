package ussd

import (
	"context"
	"strings"
)

// node is one screen of the menus. Nodes hold the data they show (fetched on
// the way in), so rendering never calls the backend and never fails.
type node interface {
	// render draws the screen, with hint above it after a wrong input.
	render(s *session, hint string) screen
	// next handles one input. last says whether it is the newest input of the
	// request: steps that change something run only then, never while an
	// older part of the path is replayed.
	next(s *session, in string, last bool) (step, error)
}

// step is where an input leads: to a new screen, or back to the same one
// with a hint.
type step struct {
	to   node
	hint string
}

func goTo(n node) step         { return step{to: n} }
func stay(hint string) step    { return step{hint: hint} }
func closing(text string) step { return goTo(endNode{text: text}) }

// freeText marks a node whose input is free text: the rest of the path is its
// input, '*' included, since the caller may type one inside a sentence.
type freeText interface{ freeText() }

// endNode is a screen that closes the session.
type endNode struct{ text string }

func (n endNode) render(*session, string) screen { return end(n.text) }

func (n endNode) next(s *session, _ string, _ bool) (step, error) {
	return closing(s.t.SessionOver), nil
}

// session is one request: the caller, their language and the path typed.
type session struct {
	ctx    context.Context
	h      *Handler
	id     string // gateway sessionId
	msisdn string // normalised caller number
	raw    string // the text field as received
	// path is the part of the path up to the input being handled: with the
	// session and caller, the key of what a step did at that input.
	path string
	// free says the input being handled is free text, the rest of the path
	// whole: its step's screen must end the session, since anything typed
	// after it would read as more of the text.
	free bool
	lang string
	t    *texts
}

// maxInputs bounds the replay. A session lasts about three minutes, so a
// longer path is not a caller's.
const maxInputs = 60

// splitPath turns the text field into inputs: "" is the first screen, with
// no input yet. A '*' typed inside an entry splits it: a meter number or
// receipt code split so fails its check and the caller is asked again, which
// is safer than guessing where the entry ended. Only free text (freeText)
// takes the rest of the path whole.
func splitPath(text string) []string {
	if text == "" {
		return nil
	}
	in := strings.Split(text, "*")
	for i := range in {
		in[i] = strings.TrimSpace(in[i])
	}
	return in
}

// run replays the path from the home screen and returns the screen to show.
func (s *session) run(inputs []string) (screen, error) {
	stack, hint, err := s.walk(inputs)
	if err != nil {
		return screen{}, err
	}
	return stack[len(stack)-1].render(s, hint), nil
}

// walk replays the path and returns the screens stacked on the way, the last
// being the one to show, and the hint to show above it. "0" goes back one
// screen and "00" home; a wrong input leaves the caller on the same screen
// with a hint, so the path after it still means what the caller saw.
func (s *session) walk(inputs []string) ([]node, string, error) {
	if len(inputs) > maxInputs {
		return []node{endNode{text: s.t.SessionOver}}, "", nil
	}
	stack := []node{home{}}
	hint := ""
	for i := 0; i < len(inputs); i++ {
		cur := stack[len(stack)-1]
		_, asking := cur.(surveyNode)
		if _, ok := cur.(endNode); ok {
			// The gateway sends nothing after END; a path that goes on is
			// not a session we served, so nothing in it is acted on.
			return append(stack, endNode{text: s.t.SessionOver}), "", nil
		}
		in := inputs[i]
		hint = ""
		switch {
		case asking:
			// The answer to the question: no way back to the menus.
		case in == "00":
			stack = stack[:1]
			continue
		case in == "0":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		_, s.free = cur.(freeText)
		if s.free {
			in = strings.Join(inputs[i:], "*")
			i = len(inputs) - 1
		}
		s.path = strings.Join(inputs[:i+1], "*")
		st, err := cur.next(s, in, i == len(inputs)-1)
		if err != nil {
			return nil, "", err
		}
		if st.to == nil {
			hint = st.hint
			continue
		}
		stack = append(stack, st.to)
	}
	return stack, hint, nil
}

// act runs a step that changes something, once per session and path: a
// resent request gets the first answer, and a request that arrives while the
// first still runs waits for it. It runs only for the newest input; when an
// older input is replayed, the first answer is looked up, so that the path
// comes back to the same final screen (with the feedback question under it,
// when one was offered) and the step is not run again.
func (s *session) act(last bool, f func(ctx context.Context) (string, error)) (step, error) {
	return s.once(last, true, f)
}

// record is act for the answer to the feedback question: its thanks end
// the session with no question under them.
func (s *session) record(last bool, f func(ctx context.Context) (string, error)) (step, error) {
	return s.once(last, false, f)
}

func (s *session) once(last, ask bool, f func(ctx context.Context) (string, error)) (step, error) {
	key := s.id + "\x00" + s.msisdn + "\x00" + s.path
	if !last {
		// Only the first answer is wanted: a path whose step never ran (one
		// the gateway did not send in order, or one older than the cache)
		// gets nothing run, and ends.
		f = func(context.Context) (string, error) { return "", nil }
	}
	text, err := s.h.once.do(s.ctx, key, func() (string, error) {
		// A gateway that gives up on this request must not cut an STK push
		// or a ticket half way: the resend will be answered from the cache.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), s.h.opts.Timeout)
		defer cancel()
		run := func() (string, error) {
			text, err := f(ctx)
			if err != nil || !ask || s.free {
				return text, err
			}
			return s.offer(ctx, text), nil
		}
		if st := s.h.opts.Steps; st != nil {
			return st.Once(ctx, key, s.h.opts.DedupeTTL, run)
		}
		return run()
	})
	switch {
	case !last && (err != nil || text == ""):
		return closing(s.t.SessionOver), nil
	case err != nil:
		return step{}, err
	case text == "":
		return closing(s.t.SessionOver), nil
	}
	if !last && !ask {
		return closing(text), nil
	}
	return goTo(offered(text)), nil
}
