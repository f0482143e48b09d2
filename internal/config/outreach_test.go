package config

import (
	"strings"
	"testing"
)

func TestOutreachSettings(t *testing.T) {
	tests := []struct {
		args          []string
		env           map[string]string
		reminders     bool
		tariffNotices bool
	}{
		{nil, nil, false, true},
		{nil, map[string]string{"MTEJA_REMINDERS": "on", "MTEJA_TARIFF_NOTICES": "off"}, true, false},
		{[]string{"-reminders", "off"}, map[string]string{"MTEJA_REMINDERS": "yes"}, false, true},
		{nil, map[string]string{"MTEJA_REMINDERS": " ON "}, true, true},
	}
	for _, tt := range tests {
		c, _, err := Parse("serve", tt.args, env(tt.env))
		if err != nil || c.Reminders != tt.reminders || c.TariffNotices != tt.tariffNotices {
			t.Errorf("%v %v: reminders %v, tariff notices %v, %v; want %v, %v", tt.args, tt.env, c.Reminders, c.TariffNotices, err, tt.reminders, tt.tariffNotices)
		}
	}
	for _, e := range []map[string]string{{"MTEJA_REMINDERS": "sometimes"}, {"MTEJA_TARIFF_NOTICES": "maybe"}} {
		_, _, err := Parse("serve", nil, env(e))
		if err == nil || !strings.Contains(err.Error(), "want on or off") {
			t.Errorf("%v: error %v", e, err)
		}
	}
}
