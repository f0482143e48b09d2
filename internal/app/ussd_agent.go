package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/ussd"
	"github.com/mteja/mteja/internal/vend"
)

// ussdAgents serves the agent menu from the agent outlets.
type ussdAgents struct{ a *App }

var _ ussd.Agents = ussdAgents{}

func (u ussdAgents) IsAgent(ctx context.Context, msisdn string) (bool, error) {
	return agent.IsAgent(ctx, u.a.DB.Read(), msisdn)
}

func (u ussdAgents) SignIn(ctx context.Context, msisdn, pin string, count bool) (ussd.AgentUser, error) {
	var user agent.User
	var err error
	if count {
		user, err = u.a.Agents.SignIn(ctx, msisdn, pin)
	} else {
		user, err = u.a.Agents.Check(ctx, msisdn, pin)
	}
	switch {
	case errors.Is(err, agent.ErrLocked):
		return ussd.AgentUser{}, fmt.Errorf("%w: %v", ussd.ErrPINLocked, err)
	case errors.Is(err, agent.ErrBadPIN), errors.Is(err, agent.ErrNotAgent):
		return ussd.AgentUser{}, fmt.Errorf("%w: %v", ussd.ErrWrongPIN, err)
	case err != nil:
		return ussd.AgentUser{}, err
	}
	st, err := agent.StatusOf(ctx, u.a.DB.Read(), user.ID)
	if err != nil {
		return ussd.AgentUser{}, err
	}
	return ussd.AgentUser{ID: user.ID, Outlet: st.Outlet.Name}, nil
}

func (u ussdAgents) Float(ctx context.Context, userID string) (ussd.AgentFloat, error) {
	st, err := agent.StatusOf(ctx, u.a.DB.Read(), userID)
	if err != nil {
		return ussd.AgentFloat{}, err
	}
	return ussd.AgentFloat{Float: st.Outlet.Float, Available: st.Outlet.Available(), ShiftSales: st.ShiftSales, ShiftCash: st.ShiftCash}, nil
}

// saleTokenWait is how long a sale waits for its token to show it on the
// agent's screen; after that it comes by SMS and by re-send.
const saleTokenWait = 3 * time.Second

func (u ussdAgents) Sell(ctx context.Context, userID, key, drn string, amount money.Amount) (ussd.AgentSale, error) {
	sale, err := u.a.Agents.Sell(ctx, userID, agent.SaleRequest{Key: key, MeterDRN: drn, Amount: amount})
	switch {
	case errors.Is(err, agent.ErrNoFloat):
		return ussd.AgentSale{}, fmt.Errorf("%w: %v", ussd.ErrAgentNoFloat, err)
	case errors.Is(err, agent.ErrMeter):
		return ussd.AgentSale{}, fmt.Errorf("%w: %v", ussd.ErrMeterNotFound, err)
	case err != nil:
		return ussd.AgentSale{}, err
	}
	out := ussd.AgentSale{Receipt: sale.Receipt}
	deadline := time.Now().Add(saleTokenWait)
	for time.Now().Before(deadline) {
		toks, err := agent.Tokens(ctx, u.a.DB.Read(), sale.PaymentID)
		if err != nil {
			return out, nil // the sale stands; its token comes by SMS
		}
		if len(toks) > 0 {
			out.Token = toks[len(toks)-1] // the credit token comes last
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	return out, nil
}

func (u ussdAgents) ResendLast(ctx context.Context, userID, drn string) error {
	if _, err := customer.GetMeter(ctx, u.a.DB.Read(), drn); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %v", ussd.ErrMeterNotFound, err)
	}
	_, err := vend.Resend(ctx, u.a.DB, u.a.Config.Utility, drn, vend.ResendTo{Actor: agent.Actor(userID), Reason: "agent USSD"}, 1)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, vend.ErrNoPhone):
		return fmt.Errorf("%w: %v", ussd.ErrNoTokens, err)
	}
	return err
}

func (u ussdAgents) Report(ctx context.Context, userID, drn, note string) (string, error) {
	if _, err := customer.GetMeter(ctx, u.a.DB.Read(), drn); errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("%w: %v", ussd.ErrMeterNotFound, err)
	}
	t, _, err := u.a.Desk.Open(ctx, care.Request{Channel: care.ChannelAgent, MeterDRN: drn, Category: care.CategoryOutage,
		Note: note, By: agent.Actor(userID)})
	return t.Ref, err
}

func (u ussdAgents) CloseShift(ctx context.Context, userID string, counted money.Amount) (ussd.AgentShift, error) {
	sh, err := u.a.Agents.CloseShift(ctx, userID, counted)
	if errors.Is(err, agent.ErrNoShift) {
		return ussd.AgentShift{}, fmt.Errorf("%w: %v", ussd.ErrNoShift, err)
	}
	if err != nil {
		return ussd.AgentShift{}, err
	}
	return ussd.AgentShift{Sales: sh.Sales, Expected: sh.Expected, Counted: sh.Counted, Difference: sh.Difference, Reconciled: sh.Reconciled()}, nil
}

func (u ussdAgents) SendPhoneCode(ctx context.Context, userID, drn, phone string) error {
	_, err := u.a.Agents.RequestPhoneCode(ctx, userID, drn, phone, u.a.Config.Utility)
	switch {
	case errors.Is(err, agent.ErrInvalid):
		return fmt.Errorf("%w: %v", ussd.ErrBadPhone, err)
	case errors.Is(err, agent.ErrMeter):
		return fmt.Errorf("%w: %v", ussd.ErrMeterNotFound, err)
	}
	return err
}

func (u ussdAgents) ConfirmPhone(ctx context.Context, userID, drn, phone, code string) error {
	err := u.a.Agents.ConfirmPhone(ctx, userID, drn, phone, code)
	if errors.Is(err, agent.ErrCodeWrong) || errors.Is(err, agent.ErrInvalid) {
		return fmt.Errorf("%w: %v", ussd.ErrWrongCode, err)
	}
	return err
}
