package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/customer"
)

// Each `mteja meter` command makes its change and records it in the audit
// log under the name of whoever ran it; a change the meter's state forbids
// exits 1 with the reason, a command line that cannot be right exits 2.
func TestMeterCommands(t *testing.T) {
	clearEnv(t)
	eachEngine(t, func(t *testing.T, dsn string) {
		if code, _, stderr := runCmd(t, "tariff", "import", sampleTariff, "--id", "domestic", "-db", dsn); code != 0 {
			t.Fatalf("tariff import: exit %d: %s", code, stderr)
		}
		old, replacement, other := drn(t, 21), drn(t, 22), drn(t, 23)
		steps := []struct {
			args    []string
			out     string // part of stdout
			subject string // the audit event's meter
			action  string
			detail  string // part of its detail
		}{
			{[]string{"register", old, "--sgc", "123456", "--tariff", "domestic", "--area", "Kisumu", "--debt", "150.50", "--name", "Grace Achieng",
				"--phones", "0712000111,0733000333", "--language", "sw", "--krn", "2"},
				"registered meter " + old + ": active, tariff domestic, area \"Kisumu\", debt 150.50, keys sgc 123456 ti 1 krn 2 kt 2 ken 255 base date 2014 EA07 DKGA02",
				old, "meter.register", "(sw, phones 2547*****111, 2547*****333)"},
			{[]string{"edit", old, "--area", "Kibos", "--phones", "0722000222"}, "phones [254722000222]", old, "meter.edit", `area "Kisumu" → "Kibos"`},
			{[]string{"deactivate", old, "--reason", "tenant left"}, ": inactive,", old, "meter.deactivate", "active → inactive: tenant left"},
			{[]string{"reactivate", old}, ": active,", old, "meter.reactivate", "inactive → active"},
			{[]string{"keychange", old, "--sgc", "654321", "--krn", "3"}, "key change queued for meter " + old + ": sgc 654321 ti 1 krn 3", old, "meter.keychange", "→ sgc 654321 ti 1 krn 3"},
			{[]string{"register", other, "--sgc", "123456", "--tariff", "domestic", "--phones", "0799000111"}, "registered meter " + other, other, "meter.register", "new customer"},
			{[]string{"swap", old, replacement, "--krn", "4"}, "meter " + old + " retired; in its place meter " + replacement + ": active, tariff domestic, area \"Kibos\", debt 150.50",
				old, "meter.swap", "retired, replaced by " + replacement},
			{[]string{"move", replacement, "--name", "New Tenant", "--phones", "0744000444"}, `"New Tenant", en, phones [254744000444]`, replacement, "meter.move", "to new customer"},
		}
		for _, s := range steps {
			code, stdout, stderr := runCmd(t, append(append([]string{"meter"}, s.args...), "-db", dsn)...)
			if code != 0 || !strings.Contains(stdout, s.out) {
				t.Fatalf("mteja meter %s: exit %d, stdout %q, stderr %q; want it to say %q", strings.Join(s.args, " "), code, stdout, stderr, s.out)
			}
			db := openTestDB(t, dsn)
			var actor, action, detail string
			err := db.Read().QueryRow(`SELECT actor, action, detail FROM audit_events WHERE subject = $1 ORDER BY at DESC, id DESC LIMIT 1`, s.subject).Scan(&actor, &action, &detail)
			db.Close()
			if err != nil || !strings.HasPrefix(actor, "cli:") || action != s.action || !strings.Contains(detail, s.detail) {
				t.Errorf("mteja meter %s: audit event %s %s %q (%v); want %s by cli:... with %q", s.args[0], actor, action, detail, err, s.action, s.detail)
			}
		}
		db := openTestDB(t, dsn)
		m, err := customer.GetMeter(context.Background(), db.Read(), replacement)
		db.Close()
		if err != nil || m.KRN != 4 || m.SGC != "123456" || m.Debt != 15050 || m.Area != "Kibos" {
			t.Errorf("the replacement meter = %+v, %v", m, err)
		}

		for _, c := range []struct {
			args []string
			code int
			says string
		}{
			{[]string{"edit", old, "--area", "x"}, 1, "meter " + old + " is retired (replaced by " + replacement + ")"},
			{[]string{"deactivate", other}, 0, ""},
			{[]string{"deactivate", other}, 1, "is inactive already"},
			{[]string{"register", other, "--sgc", "123456", "--tariff", "domestic"}, 1, "already registered"},
			{[]string{"register", drn(t, 24), "--tariff", "nope", "--sgc", "12345", "--phones", "07x", "--language", "fr"}, 1,
				`supply group code "12345": want 6 digits; language "fr": want en or sw; phones: invalid phone number`},
			{[]string{"keychange", replacement, "--base-date", "1993"}, 1, "a base date only moves forward"},
			{[]string{"register", drn(t, 25), "--sgc", "123456", "--tariff", "domestic", "--ti", "many"}, 2, "invalid value"},
			{[]string{"register"}, 2, "mteja meter register DRN"},
			{[]string{"swap", replacement}, 2, "mteja meter swap OLD NEW"},
			{[]string{"retire", replacement}, 2, "usage"},
			{[]string{"edit", drn(t, 26), "--area", "x"}, 1, "not found"},
		} {
			code, _, stderr := runCmd(t, append(append([]string{"meter"}, c.args...), "-db", dsn)...)
			if code != c.code || !strings.Contains(stderr, c.says) {
				t.Errorf("mteja meter %s: exit %d, %q; want %d saying %q", strings.Join(c.args, " "), code, stderr, c.code, c.says)
			}
		}
	})
}
