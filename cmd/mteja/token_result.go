package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/mteja/mteja/internal/sts"
)

func tokenUnitName(kind sts.Subclass) string {
	if kind == sts.Electricity {
		return "kWh"
	}
	return "units"
}

// tokenResult is what a token-making subcommand prints.
type tokenResult struct {
	Token    string   `json:"token,omitempty"`
	Tokens   []string `json:"tokens,omitempty"`
	Kind     string   `json:"kind"`
	Class    uint8    `json:"class"`
	Subclass uint8    `json:"subclass"`
	Meter    string   `json:"meter,omitempty"`
	TID      *uint32  `json:"tid,omitempty"`
	Issued   string   `json:"issued,omitempty"`
	BaseDate uint16   `json:"base_date,omitempty"`
	RND      *uint8   `json:"rnd,omitempty"`
	Tenths   *uint64  `json:"tenths,omitempty"`
	Units    string   `json:"units,omitempty"`
	Watts    *uint64  `json:"watts,omitempty"`
	Register *uint16  `json:"register,omitempty"`
	KEN      *uint8   `json:"ken,omitempty"`
	KRN      *uint8   `json:"krn,omitempty"`
	KeyType  *uint8   `json:"key_type,omitempty"`
	TI       *uint8   `json:"tariff_index,omitempty"`
	Rollover *bool    `json:"rollover,omitempty"`
	Control  string   `json:"control,omitempty"`
	Mfr      *uint16  `json:"manufacturer,omitempty"`
	CRCOK    *bool    `json:"crc_ok,omitempty"`
	Problem  string   `json:"problem,omitempty"`
	// details are the human lines under the token(s).
	details []string
	grouped []string
}

func tokenPtr[T any](v T) *T { return &v }

func (r *tokenResult) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	for _, g := range r.grouped {
		fmt.Fprintln(w, g)
	}
	for _, d := range r.details {
		fmt.Fprintln(w, d)
	}
	return nil
}

func (r *tokenResult) setToken(t sts.Token, f sts.Fields) {
	r.Token = t.String()
	r.grouped = []string{t.Grouped()}
	r.Kind = sts.Describe(f.Class, f.Subclass)
	r.Class, r.Subclass = uint8(f.Class), uint8(f.Subclass)
}

func (r *tokenResult) setIssue(tid sts.TID, base sts.BaseDate, rnd uint8) {
	r.TID, r.RND, r.BaseDate = tokenPtr(uint32(tid)), tokenPtr(rnd), uint16(base)
	r.Issued = tid.Time(base).Format(time.RFC3339)
}

func tokenIssuedWords(tid sts.TID, base sts.BaseDate) string {
	at := tid.Time(base)
	eat := at.In(time.FixedZone("EAT", 3*3600))
	return fmt.Sprintf("issued %s UTC (%s East Africa Time), TID %d on base date %d",
		at.Format("2006-01-02 15:04"), eat.Format("15:04"), tid, base)
}

func tokenRegisterWords(reg uint16) string {
	if reg == sts.AllRegisters {
		return "all registers"
	}
	if reg == 0 {
		return "electricity register (0)"
	}
	return fmt.Sprintf("register %d", reg)
}

func tokenYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
