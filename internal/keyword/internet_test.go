package keyword_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// internet stands in for the ISP's billing: it says what it was asked.
type internet struct{}

func (internet) UsageText(_ context.Context, msisdn, lang string, args []string) (string, error) {
	return fmt.Sprintf("usage of %s in %s: %v", msisdn, lang, args), nil
}

func (internet) RedeemText(_ context.Context, msisdn, lang string, args []string) (string, error) {
	return fmt.Sprintf("voucher from %s in %s: %v", msisdn, lang, args), nil
}

// USAGE (MATUMIZI) and VOUCHER (VOCHA) go to the ISP where there is one,
// answered in the language they were written in; elsewhere they are
// words we do not understand.
func TestInternetKeywords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		none := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#"}
		isp := &keyword.Responder{DB: db, Utility: "Mteja Power", USSDCode: "*384*123#", Internet: internet{}}
		for _, c := range []struct {
			r          *keyword.Responder
			text, want string
		}{
			{none, "USAGE", `We did not understand "USAGE"`},
			{none, "vocha 1234", `We did not understand "VOCHA"`},
			{isp, "usage", "usage of 254799000001 in en: []"},
			{isp, "Matumizi alice", "usage of 254799000001 in sw: [ALICE]"},
			{isp, "VOUCHER 1234 5678 9012 alice", "voucher from 254799000001 in en: [1234 5678 9012 ALICE]"},
			{isp, "vocha 123456789012", "voucher from 254799000001 in sw: [123456789012]"},
		} {
			rep, err := c.r.Answer(ctx, "254799000001", c.text)
			if err != nil || !strings.Contains(rep.Body, c.want) {
				t.Errorf("%q: %q, %v; want %q", c.text, rep.Body, err, c.want)
			}
		}
	})
}
