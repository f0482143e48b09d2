package isp

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/tariff"
)

// Messages to subscribers, in English and Swahili, queued in the
// transactional lane of the outbox in the transaction that causes them.
// Each aims at one SMS.
var messageTexts = map[string][2]string{
	"paid": {
		`{{.ISP}}: received {{.Amount}} ({{.Receipt}}) for {{.Username}}. {{.Plan}} is active{{if .Until}} until {{.Until}}{{end}}. Wallet: {{.Wallet}}.`,
		`{{.ISP}}: tumepokea {{.Amount}} ({{.Receipt}}) kwa {{.Username}}. {{.Plan}} inatumika{{if .Until}} hadi {{.Until}}{{end}}. Pochi: {{.Wallet}}.`,
	},
	"wallet": {
		`{{.ISP}}: received {{.Amount}} ({{.Receipt}}) for {{.Username}}. Wallet: {{.Wallet}}.{{if .Plan}} {{.Plan}} costs {{.Price}}: pay {{.Needed}} more{{template "pay" .}}.{{end}}`,
		`{{.ISP}}: tumepokea {{.Amount}} ({{.Receipt}}) kwa {{.Username}}. Pochi: {{.Wallet}}.{{if .Plan}} {{.Plan}} ni {{.Price}}: lipa {{.Needed}} zaidi{{template "pay" .}}.{{end}}`,
	},
	"bought": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} is active{{if .Until}} until {{.Until}}{{end}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} inatumika{{if .Until}} hadi {{.Until}}{{end}}.`,
	},
	"renewed": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} was renewed from the wallet{{if .Until}} until {{.Until}}{{end}}. Wallet: {{.Wallet}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} imelipiwa upya kutoka pochi{{if .Until}} hadi {{.Until}}{{end}}. Pochi: {{.Wallet}}.`,
	},
	"data80": {
		`{{.ISP}}: {{.Username}} has used 80% of the {{.Plan}} data: {{.Left}} left{{if .Until}} until {{.Until}}{{end}}.`,
		`{{.ISP}}: {{.Username}} imetumia 80% ya data ya {{.Plan}}: imebaki {{.Left}}{{if .Until}} hadi {{.Until}}{{end}}.`,
	},
	"data100": {
		`{{.ISP}}: {{.Username}} has used all the {{.Plan}} data. For more, pay {{.Price}}{{template "pay" .}}.`,
		`{{.ISP}}: {{.Username}} imemaliza data ya {{.Plan}}. Kwa zaidi, lipa {{.Price}}{{template "pay" .}}.`,
	},
	"time80": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} ends at {{.Until}}. To renew, pay {{.Price}}{{template "pay" .}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} inaisha {{.Until}}. Kulipia upya, lipa {{.Price}}{{template "pay" .}}.`,
	},
	"ended": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} has ended. To renew, pay {{.Price}}{{template "pay" .}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} imeisha. Kulipia upya, lipa {{.Price}}{{template "pay" .}}.`,
	},
	"grace": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} is due. Service goes on until {{.Until}}: pay {{.Price}}{{template "pay" .}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} inadaiwa. Huduma inaendelea hadi {{.Until}}: lipa {{.Price}}{{template "pay" .}}.`,
	},
	"invoice": {
		`{{.ISP}}: invoice {{.Number}} for {{.Plan}} ({{.Username}}): {{.Price}}, due {{.Due}}{{template "pay" .}}.`,
		`{{.ISP}}: ankara {{.Number}} ya {{.Plan}} ({{.Username}}): {{.Price}}, inadaiwa {{.Due}}{{template "pay" .}}.`,
	},
	"due": {
		`{{.ISP}}: reminder: invoice {{.Number}} for {{.Plan}} ({{.Username}}), {{.Price}}, is due {{.Due}}. Pay{{template "pay" .}}.`,
		`{{.ISP}}: kumbusho: ankara {{.Number}} ya {{.Plan}} ({{.Username}}), {{.Price}}, inadaiwa {{.Due}}. Lipa{{template "pay" .}}.`,
	},
	"overdue": {
		`{{.ISP}}: invoice {{.Number}} for {{.Plan}} ({{.Username}}), {{.Price}}, was due {{.Due}}.{{if .Until}} Service goes on until {{.Until}}.{{end}} Pay{{template "pay" .}}.`,
		`{{.ISP}}: ankara {{.Number}} ya {{.Plan}} ({{.Username}}), {{.Price}}, ilidaiwa {{.Due}}.{{if .Until}} Huduma inaendelea hadi {{.Until}}.{{end}} Lipa{{template "pay" .}}.`,
	},
	"fallback": {
		`{{.ISP}}: {{.Plan}} for {{.Username}} has ended; you are on {{.Fallback}} until you pay {{.Price}}{{template "pay" .}}.`,
		`{{.ISP}}: {{.Plan}} ya {{.Username}} imeisha; uko kwenye {{.Fallback}} hadi ulipe {{.Price}}{{template "pay" .}}.`,
	},
}

const payTemplate = `{{define "pay"}}{{if .Paybill}} to Paybill {{.Paybill}}, account {{.Username}}{{end}}{{end}}`
const payTemplateSw = `{{define "pay"}}{{if .Paybill}} kwa Paybill {{.Paybill}}, akaunti {{.Username}}{{end}}{{end}}`

var messageTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for name, texts := range messageTexts {
		for i, lang := range []string{"en", "sw"} {
			pay := payTemplate
			if lang == "sw" {
				pay = payTemplateSw
			}
			t := template.Must(template.New(name).Option("missingkey=error").Parse(pay))
			out[name+"/"+lang] = template.Must(t.Parse(texts[i]))
		}
	}
	return out
}()

// message is the data of every template.
type message struct {
	ISP, Username, Plan, Fallback string
	Amount, Receipt               string
	Wallet, Price, Needed         string
	Until, Left                   string
	Paybill                       string
	Number, Due                   string // an invoice's number and due date
}

func renderMessage(name, lang string, m message) (string, error) {
	t, ok := messageTemplates[name+"/"+lang]
	if !ok {
		t, ok = messageTemplates[name+"/en"]
	}
	if !ok {
		return "", fmt.Errorf("isp message %q: no such template", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, m); err != nil {
		return "", fmt.Errorf("isp message %s/%s: %w", name, lang, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// kes formats an amount as messages show it.
func kes(a money.Amount) string { return a.Format("KES") }

// until formats the end of a period in EAT, as customers read it; "" for
// no end.
func until(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(tariff.Zone).Format("02/01/2006 15:04")
}

// baseMessage fills what every message about sub's plan says.
func (s *Service) baseMessage(to Subscriber, plan Plan, sub Subscription) message {
	return message{ISP: s.cfg.Name, Username: to.Username, Plan: plan.Name, Price: kes(plan.Price), Wallet: kes(to.Balance),
		Until: until(sub.EndsAt), Paybill: s.shortCode(), Needed: kes(needed(plan, to.Balance))}
}

// tell queues message name to the subscriber's phones, and to also (a
// payer's number) when it is not one of them, in the subscriber's
// language. ref names what it is about.
func (s *Service) tell(tx *store.Tx, to Subscriber, also, name, ref string, m message) error {
	body, err := renderMessage(name, to.Language, m)
	if err != nil {
		return err
	}
	recipients := append([]string(nil), to.Phones...)
	if also != "" && !contains(recipients, also) {
		recipients = append(recipients, also)
	}
	msgs := make([]notify.Message, 0, len(recipients))
	for _, r := range recipients {
		msgs = append(msgs, notify.Message{Recipient: r, Lane: notify.LaneTransactional, Template: "isp_" + name, Language: to.Language, Body: body, Ref: ref})
	}
	return notify.Enqueue(tx, msgs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// tellAbout queues message name about sub to its subscriber (read in tx).
func (s *Service) tellAbout(ctx context.Context, tx *store.Tx, sub Subscription, plan Plan, name string, fill func(*message)) error {
	to, err := getSubscriber(ctx, tx, `id = $1`, sub.SubscriberID)
	if err != nil {
		return err
	}
	m := s.baseMessage(to, plan, sub)
	if fill != nil {
		fill(&m)
	}
	return s.tell(tx, to, "", name, sub.ID, m)
}

// notifyPayment tells a subscriber (and the payer, when M-Pesa gave their
// number) that a payment arrived: what it bought, or what the wallet holds
// now and what the plan still needs.
func (s *Service) notifyPayment(ctx context.Context, tx *store.Tx, to Subscriber, p payment.Payment, sub Subscription, plan *Plan, bought *Purchase, wallet money.Amount) error {
	m := message{ISP: s.cfg.Name, Username: to.Username, Amount: kes(p.Amount), Receipt: p.Receipt, Wallet: kes(wallet), Paybill: s.shortCode()}
	name := "wallet"
	if plan != nil && plan.Price > 0 {
		m.Plan, m.Price, m.Needed = plan.Name, kes(plan.Price), kes(needed(*plan, wallet))
	}
	if bought != nil {
		name, m.Until = "paid", until(sub.EndsAt)
	}
	return s.tell(tx, to, p.NotifyMSISDN, name, p.ID, m)
}

// notifyPurchase tells a subscriber a plan was bought for them.
func (s *Service) notifyPurchase(ctx context.Context, tx *store.Tx, to Subscriber, sub Subscription, plan Plan, p Purchase) error {
	return s.tell(tx, to, "", "bought", p.ID, s.baseMessage(to, plan, sub))
}
