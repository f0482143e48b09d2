package isp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/quota"
	"github.com/mteja/mteja/internal/store"
)

// VoucherTries limits the vouchers a phone may try by SMS or USSD, found or
// not, so that codes cannot be guessed that way; counted in the database,
// so the limit holds on every node.
var VoucherTries = quota.Rule{Name: "voucher.phone", Max: 10, Per: time.Hour}

// RedeemText answers the VOUCHER (VOCHA) keyword from msisdn: "VOUCHER
// 1234 5678 9012", for the phone's only account, or "VOUCHER 1234 5678
// 9012 username" for any account (a voucher may be a gift). The reply is
// in lang; the account's phones are told what it bought.
func (s *Service) RedeemText(ctx context.Context, msisdn, lang string, args []string) (string, error) {
	var digits []string
	username := ""
	for i, a := range args {
		if _, ok := voucherCode(a); !ok && strings.Trim(a, "0123456789-") != "" {
			if i != len(args)-1 {
				return say(lang, "voucher_how"), nil
			}
			username = NormalizeUsername(a)
			break
		}
		digits = append(digits, a)
	}
	code, ok := voucherCode(strings.Join(digits, ""))
	if !ok {
		return say(lang, "voucher_how"), nil
	}
	if username == "" {
		subs, err := s.ByPhone(ctx, msisdn)
		if err != nil {
			return "", err
		}
		switch len(subs) {
		case 0:
			return say(lang, "voucher_whose"), nil
		case 1:
			username = subs[0].Username
		default:
			names := make([]string, len(subs))
			for i, u := range subs {
				names[i] = u.Username
			}
			return say(lang, "voucher_which", strings.Join(names, ", ")), nil
		}
	}
	return s.RedeemFor(ctx, msisdn, lang, code, username)
}

// RedeemFor uses the voucher code typed on msisdn (by SMS or USSD) for the
// account named, and returns what to tell the phone, in lang. The codes a
// phone may try are limited (VoucherTries).
func (s *Service) RedeemFor(ctx context.Context, msisdn, lang, typed, username string) (string, error) {
	code, ok := voucherCode(typed)
	if !ok {
		return say(lang, "voucher_how"), nil
	}
	username = NormalizeUsername(username)
	var ex *quota.Exceeded
	if err := quota.Take(ctx, s.DB, VoucherTries.Of(msisdn)); errors.As(err, &ex) {
		return say(lang, "voucher_limit"), nil
	} else if err != nil {
		return "", err
	}
	_, err := s.Redeem(ctx, code, username, "sms:"+msisdn)
	switch {
	case err == nil:
		return say(lang, "voucher_ok", username), nil
	case errors.Is(err, ErrVoucher):
		return say(lang, "voucher_bad"), nil
	case errors.Is(err, ErrUsed):
		return say(lang, "voucher_used"), nil
	case errors.Is(err, ErrExpired):
		return say(lang, "voucher_expired"), nil
	case errors.Is(err, store.ErrNotFound):
		return say(lang, "voucher_nobody", username), nil
	}
	return "", fmt.Errorf("voucher by sms: %w", err)
}
