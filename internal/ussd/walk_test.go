package ussd

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// walkInputs are what a caller might type on any screen: every menu choice,
// navigation, wrong entries, and the data the fixtures know.
var walkInputs = []string{
	"0", "00", "98", "1", "2", "3", "4", "5", "6", "7", "8", "12", "x", "",
	"54500320905", "0123456789012", "01234567890", "54500320913", "54500320906", "54500999999", "545",
	"500", "5", "999999", "100.50", "35000",
	"SKL51ZDR4F", "SKL51ZDR4G", "SKL51ZDR4V", "SKL51ZDR4P", "SKL51ZDR4N", "SKL51ZDR4S", "SKL5",
	"wires*sparking near the gate",
	"kamau", "otieno", "123456789012",
}

// TestEveryScreenFits walks every screen reachable within a few inputs, in
// both languages, for a caller with many meters and one with none, and checks
// each against the 182-character limit before the handler's safety cut.
func TestEveryScreenFits(t *testing.T) {
	t.Parallel()
	const maxDepth = 8
	reached := map[string]bool{}
	for _, lang := range []string{langEN, langSW} {
		for _, msisdn := range []string{phoneMany, phoneNone} {
			t.Run(lang+"/"+msisdn, func(t *testing.T) {
				// The longest brand there is room for.
				// A question waits on every final screen that has room for
				// it: NPS, the longer scale, for one caller, CSAT for the other.
				sv := newMemSurvey()
				sv.always = true
				sv.waiting[phoneMany] = SurveyQuestion{ID: "walk-csat", Kind: SurveyCSAT}
				sv.waiting[phoneNone] = SurveyQuestion{ID: "walk-nps", Kind: SurveyNPS}
				tb := setup(t, Options{Brand: "Umeme Prepaid Ltd", Internet: newMemInternet(), Survey: sv})
				tb.b.langs[msisdn] = lang
				tb.b.limits.Max = 15000000 // KES 150,000: the longest amounts
				seen := map[string]bool{}
				queue := []string{""}
				longest, longestPath, walks := 0, "", 0
				for len(queue) > 0 {
					walks++
					path := queue[0]
					queue = queue[1:]
					sc, stack, err := tb.screenOf(msisdn, path)
					tb.b.langs[msisdn] = lang // a walk through the language menu changes it
					if err != nil {
						t.Fatalf("text %q: %v", path, err)
					}
					reply := sc.reply()
					checkReply(t, reply)
					if t.Failed() {
						t.Fatalf("text %q", path)
					}
					if n := runes(reply); n > longest {
						longest, longestPath = n, path
					}
					top := stack[len(stack)-1]
					reached[reflect.TypeOf(top).Name()] = true
					key := fmt.Sprintf("%#v|%s", stack, reply)
					if seen[key] || sc.end || len(splitPath(path)) >= maxDepth {
						continue
					}
					seen[key] = true
					for _, in := range walkInputs {
						next := in
						if path != "" {
							next = path + "*" + in
						}
						queue = append(queue, next)
					}
				}
				t.Logf("%d walks, %d screens; longest %d characters, at text %q", walks, len(seen), longest, longestPath)
			})
		}
	}
	var want []string
	for _, n := range []node{home{}, meterPick{}, meterEntry{}, amountEntry{}, buyConfirm{}, tokenList{},
		receiptEntry{}, paidTokens{}, purchaseList{}, faultMenu{}, faultConfirm{}, faultNote{}, languageMenu{}, endNode{},
		meterShows{}, internetMenu{}, accountPick{}, accountEntry{}, bundlePick{}, bundleConfirm{}, voucherEntry{}, surveyNode{}} {
		if name := reflect.TypeOf(n).Name(); !reached[name] {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	if len(want) > 0 {
		t.Errorf("walk never reached %s", strings.Join(want, ", "))
	}
}
