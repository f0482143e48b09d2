package isp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
)

// Authorize decides an Access-Request from what is stored now: balance,
// expiry, data and the devices already online are checked at every
// request, so a change anywhere is felt at the next login. It reads and
// does not write (one query), except the first login with a voucher's
// code, which redeems it.
//
// An unknown user and a wrong password get the same Reject. A subscriber
// without service (never paid, suspended, expired, data used up) is
// accepted into the walled garden with where to pay, not rejected: the
// captive page can then show how to pay. One over the devices the plan
// allows is rejected, since paying changes nothing for them.
func (s *Service) Authorize(ctx context.Context, r radius.AuthRequest) (radius.AuthDecision, error) {
	now := r.At
	if now.IsZero() {
		now = s.now()
	}
	username := NormalizeUsername(r.Username)
	if len(username) > 64 || !utf8.ValidString(username) {
		return reject, nil // no username or voucher looks like it
	}
	a, err := s.authRow(ctx, username, store.Truncate(r.CallingStationID, 64))
	if errors.Is(err, sql.ErrNoRows) {
		if code, ok := voucherCode(username); ok {
			return s.voucherLogin(ctx, r, code, now)
		}
		return reject, nil
	}
	if err != nil {
		return radius.AuthDecision{}, fmt.Errorf("authorize %q: %w", store.Truncate(username, 40), err)
	}
	pw, err := s.seal.Open(a.sealed, a.id)
	if err != nil {
		return radius.AuthDecision{}, fmt.Errorf("authorize %q: %w", username, err)
	}
	// A voucher's code is its own secret: the captive page may send it
	// with no password.
	if r.Check == nil || !r.Check(pw) && !(isVoucherCode(username) && r.Check("")) {
		return reject, nil
	}
	return s.decide(a, now), nil
}

var reject = radius.AuthDecision{Verdict: radius.Reject, Message: "Wrong username or password"}

// authRow is what a decision needs, read in one query: the subscriber, the
// live subscription and its plan, and how many other devices are online.
type authRow struct {
	id, username, sealed string
	wallet               int64
	sub                  Subscription
	hasSub               bool
	plan                 Plan
	online               int
}

func (s *Service) authRow(ctx context.Context, username, callingStation string) (authRow, error) {
	var a authRow
	var subID, state sql.NullString
	var ends, grace, limit, used, throttled sql.NullInt64
	var plan planNulls
	stmt, err := s.authStmt(ctx)
	if err != nil {
		return authRow{}, err
	}
	err = stmt.QueryRowContext(ctx, username, callingStation).
		Scan(&a.id, &a.username, &a.sealed, &a.wallet, &subID, &state, &ends, &grace, &limit, &used, &throttled,
			&plan.id, &plan.name, &plan.price, &plan.rx, &plan.tx, &plan.brx, &plan.btx, &plan.trx, &plan.ttx, &plan.btime,
			&plan.shared, &plan.fair, &plan.frx, &plan.ftx, &plan.grace, &plan.pool, &plan.kind, &a.online)
	if err != nil {
		return authRow{}, err
	}
	if subID.Valid && plan.id.Valid {
		a.hasSub = true
		a.sub = Subscription{ID: subID.String, State: state.String, EndsAt: store.Time(ends.Int64), GraceUntil: store.Time(grace.Int64),
			DataLimit: limit.Int64, DataUsed: used.Int64, Throttled: throttled.Int64 != 0}
		a.plan = plan.plan()
	}
	return a, nil
}

const authQuery = `SELECT u.id, u.username, u.password_sealed, u.balance,
		s.id, s.state, s.ends_at, s.grace_until, s.data_limit, s.data_used, s.throttled,
		p.id, p.name, p.price, p.rate_rx, p.rate_tx, p.burst_rx, p.burst_tx, p.threshold_rx, p.threshold_tx, p.burst_time_s,
		p.shared_users, p.fair_use_bytes, p.fair_rx, p.fair_tx, p.grace_s, p.framed_pool, p.kind,
		(SELECT count(*) FROM isp_sessions x WHERE x.subscriber_id = u.id AND x.stopped_at IS NULL AND x.calling_station <> $2)
	FROM isp_subscribers u
	LEFT JOIN isp_subscriptions s ON s.subscriber_id = u.id AND s.state <> 'terminated'
	LEFT JOIN isp_plans p ON p.id = s.plan_id
	WHERE u.username = $1`

// authStmt is authQuery prepared once on the read pool (database/sql
// prepares it again on each connection that lacks it): SQLite spent more
// than half of every Access-Request parsing it afresh.
func (s *Service) authStmt(ctx context.Context) (*sql.Stmt, error) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	if s.auth.stmt == nil {
		stmt, err := s.DB.Read().PrepareContext(ctx, authQuery)
		if err != nil {
			return nil, fmt.Errorf("prepare the login query: %w", err)
		}
		s.auth.stmt = stmt
	}
	return s.auth.stmt, nil
}

// planNulls holds a plan's columns from the outer join.
type planNulls struct {
	id, name, pool, kind                                   sql.NullString
	price, rx, tx, brx, btx, trx, ttx, btime, shared, fair sql.NullInt64
	frx, ftx, grace                                        sql.NullInt64
}

func (n planNulls) plan() Plan {
	return Plan{ID: n.id.String, Name: n.name.String, Kind: n.kind.String, Price: money.Amount(n.price.Int64), FramedPool: n.pool.String,
		Rate: RateLimit{Rx: n.rx.Int64, Tx: n.tx.Int64, BurstRx: n.brx.Int64, BurstTx: n.btx.Int64, ThresholdRx: n.trx.Int64, ThresholdTx: n.ttx.Int64,
			BurstTime: dur2(n.btime.Int64)},
		SharedUsers: int(n.shared.Int64), FairUseAfter: n.fair.Int64, FairUseRate: RateLimit{Rx: n.frx.Int64, Tx: n.ftx.Int64}, Grace: dur2(n.grace.Int64)}
}

// decide is the verdict for a subscriber who proved their password.
func (s *Service) decide(a authRow, now time.Time) radius.AuthDecision {
	if !a.hasSub {
		return s.garden(a, "You have no plan yet.")
	}
	sub, plan := a.sub, a.plan
	end := sub.EndsAt
	switch sub.State {
	case Pending:
		return s.garden(a, "Your plan is not paid yet.")
	case Suspended:
		return s.garden(a, "Your service is suspended.")
	case Grace:
		end = sub.GraceUntil
	case Active:
		// The sweep may not have run since the period ended.
		if !end.IsZero() && !now.Before(end) {
			if plan.Grace <= 0 || !now.Before(end.Add(plan.Grace)) {
				return s.garden(a, "Your plan has ended.")
			}
			end = end.Add(plan.Grace)
		}
	}
	if !end.IsZero() && !now.Before(end) {
		return s.garden(a, "Your plan has ended.")
	}
	if sub.exhausted() {
		return s.garden(a, "Your data is used up.")
	}
	if a.online >= max(plan.SharedUsers, 1) {
		return radius.AuthDecision{Verdict: radius.Reject, Message: fmt.Sprintf("Already online on %d device(s), all your plan allows", a.online)}
	}
	d := radius.AuthDecision{Verdict: radius.Accept, RateLimit: plan.speed(sub.Throttled).String(), InterimInterval: s.cfg.Interim, EndsAt: end}
	if !end.IsZero() {
		d.SessionTimeout = (end.Sub(now) + time.Second - 1).Truncate(time.Second) // the router counts whole seconds
	}
	if sub.DataLimit > 0 {
		d.DataLimit = sub.DataLimit - sub.DataUsed
	}
	if plan.Kind == PPPoE {
		d.FramedPool = plan.FramedPool
	}
	return d
}

// garden is the walled-garden answer: logged in, but only to pay.
func (s *Service) garden(a authRow, why string) radius.AuthDecision {
	msg := why
	price := a.plan.Price
	switch {
	case s.shortCode() != "" && a.hasSub && price > 0:
		msg += fmt.Sprintf(" Pay %s to Paybill %s, account %s.", kes(needed(a.plan, money.Amount(a.wallet))), s.shortCode(), a.username)
	case s.shortCode() != "":
		msg += fmt.Sprintf(" Pay to Paybill %s, account %s.", s.shortCode(), a.username)
	}
	return radius.AuthDecision{Verdict: radius.WalledGarden, Message: msg, AddressList: s.cfg.WalledGarden, InterimInterval: s.cfg.Interim}
}
