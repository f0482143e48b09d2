package portal

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/care"
)

// feedbackForm is the survey a customer was asked by SMS, answered here
// instead: the score as a choice, a few words why if they like.
type feedbackForm struct {
	Survey care.Survey
	Scores []int
	Ref    string // the ticket a complaint opened, once sent
	Done   bool
}

func (h *Handler) feedbackData(v *visit) (feedbackForm, bool, error) {
	s, ok, err := care.WaitingScore(v.r.Context(), h.DB.Read(), v.session.MSISDN, h.DB.Now())
	if err != nil || !ok {
		return feedbackForm{}, false, err
	}
	d := feedbackForm{Survey: s}
	lo, hi := care.Scale(s.Kind)
	for i := hi; i >= lo; i-- {
		d.Scores = append(d.Scores, i)
	}
	return d, true, nil
}

// feedback shows the waiting question, or says there is none.
func (h *Handler) feedback(w http.ResponseWriter, v *visit) error {
	d, ok, err := h.feedbackData(v)
	if err != nil {
		return err
	}
	p := v.page("feedback.title", d)
	if !ok {
		p.Notice = t(v.lang, "feedback.none")
	}
	return h.render(w, v, http.StatusOK, "feedback", p)
}

// feedbackSend takes the answer as the SMS reply would be taken: the
// score, then the words; low scores with words open a ticket.
func (h *Handler) feedbackSend(w http.ResponseWriter, v *visit) error {
	d, ok, err := h.feedbackData(v)
	if err != nil {
		return err
	}
	if !ok {
		p := v.page("feedback.title", feedbackForm{})
		p.Notice = t(v.lang, "feedback.none")
		return h.render(w, v, http.StatusOK, "feedback", p)
	}
	score, err := strconv.Atoi(v.r.PostFormValue("score"))
	lo, hi := care.Scale(d.Survey.Kind)
	words := strings.TrimSpace(v.r.PostFormValue("why"))
	if err != nil || score < lo || score > hi || len(words) > maxNote || !utf8.ValidString(words) {
		p := v.page("feedback.title", d)
		p.Err = t(v.lang, "feedback.bad", lo, hi)
		return h.render(w, v, http.StatusBadRequest, "feedback", p)
	}
	if err := take(h.limits.report, v.session.ID); err != nil {
		return err
	}
	ctx := v.r.Context()
	if _, _, err := h.desk().SurveyReply(ctx, v.session.MSISDN, strconv.Itoa(score)); err != nil {
		return err
	}
	if words != "" {
		a, _, err := h.desk().SurveyReply(ctx, v.session.MSISDN, words)
		if err != nil {
			return err
		}
		if a.Survey.FollowUp != "" {
			if tk, err := care.GetTicket(ctx, h.DB.Read(), a.Survey.FollowUp); err == nil {
				d.Ref = tk.Ref
			}
		}
	}
	if h.OnMessages != nil {
		h.OnMessages()
	}
	d.Done = true
	return h.render(w, v, http.StatusOK, "feedback", v.page("feedback.title", d))
}
