package care

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// MeterMessage is a message a prepayment meter shows after a token is
// typed, with what it means and what the customer should do: the
// knowledge base behind "what does my meter's message mean?" on USSD, by
// SMS and in the console.
type MeterMessage struct {
	ID    string
	Shows []string          // what meters display, upper case, no punctuation
	Name  map[string]string // by language: "en", "sw"
	Say   map[string]string // what it means and what to do, one USSD screen
	Fault string            // the fault to report if the advice fails: token_rejected, no_power, other, none
}

//go:embed meter_messages.yaml
var meterMessagesYAML []byte

// MaxMeterSay bounds a message's advice: it is shown on one USSD screen
// (182 characters with "END " and room for a heading line).
const MaxMeterSay = 170

var meterMessages = mustMeterMessages(meterMessagesYAML)

// MeterMessages returns the knowledge base, in its order.
func MeterMessages() []MeterMessage { return meterMessages }

// FindMeterMessage finds the message whose display text matches what a
// customer typed ("Rejected", "key change", "err"), ignoring case, spaces
// and punctuation.
func FindMeterMessage(typed string) (MeterMessage, bool) {
	key := meterKey(typed)
	if key == "" {
		return MeterMessage{}, false
	}
	for _, m := range meterMessages {
		for _, s := range m.Shows {
			if meterKey(s) == key {
				return m, true
			}
		}
	}
	return MeterMessage{}, false
}

// In returns the message's name and advice in lang, English when lang is
// neither.
func (m MeterMessage) In(lang string) (name, say string) {
	if lang != "sw" {
		lang = "en"
	}
	return m.Name[lang], m.Say[lang]
}

// meterKey is a display text reduced to its letters and digits, upper case.
func meterKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

func mustMeterMessages(b []byte) []MeterMessage {
	ms, err := parseMeterMessages(b)
	if err != nil {
		panic(err)
	}
	return ms
}

// parseMeterMessages reads and checks the knowledge base: every message
// named and explained in both languages within a screen, a known fault,
// and no display text claimed by two messages.
func parseMeterMessages(b []byte) ([]MeterMessage, error) {
	var raw []struct {
		ID    string            `yaml:"id"`
		Shows []string          `yaml:"shows"`
		Name  map[string]string `yaml:"name"`
		Say   map[string]string `yaml:"say"`
		Fault string            `yaml:"fault"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("meter messages: %w", err)
	}
	owner := map[string]string{}
	var out []MeterMessage
	for i, r := range raw {
		where := fmt.Sprintf("meter messages: entry %d (%s)", i+1, r.ID)
		if r.ID == "" || len(r.Shows) == 0 {
			return nil, fmt.Errorf("%s: needs an id and what meters show", where)
		}
		switch r.Fault {
		case "token_rejected", "no_power", "other", "none":
		default:
			return nil, fmt.Errorf("%s: fault %q is not token_rejected, no_power, other or none", where, r.Fault)
		}
		for _, lang := range []string{"en", "sw"} {
			if r.Name[lang] == "" || r.Say[lang] == "" {
				return nil, fmt.Errorf("%s: needs a name and advice in %s", where, lang)
			}
			if n := len([]rune(r.Say[lang])); n > MaxMeterSay {
				return nil, fmt.Errorf("%s: the %s advice has %d characters, more than a screen's %d", where, lang, n, MaxMeterSay)
			}
		}
		for _, s := range r.Shows {
			k := meterKey(s)
			if k == "" {
				return nil, fmt.Errorf("%s: %q shows nothing", where, s)
			}
			if other, ok := owner[k]; ok {
				return nil, fmt.Errorf("%s: %q is also shown by %s", where, s, other)
			}
			owner[k] = r.ID
		}
		out = append(out, MeterMessage{ID: r.ID, Shows: r.Shows, Name: r.Name, Say: r.Say, Fault: r.Fault})
	}
	return out, nil
}
