package app

import (
	"context"
	"time"

	"github.com/mteja/mteja/internal/agent"
)

// buildAgents makes the agent outlets' service: its sales wake the vend
// worker, and the intake wakes its top-up applier.
func (a *App) buildAgents() {
	a.Agents = &agent.Service{DB: a.DB, Wake: a.Vend.Wake}
	a.agentTopUps = make(chan struct{}, 1)
}

func (a *App) wakeAgents() {
	select {
	case a.agentTopUps <- struct{}{}:
	default:
	}
}

// runAgents credits float top-ups: at once when this node's intake stored
// one, every 5 s for those another node stored.
func (a *App) runAgents(ctx context.Context) {
	a.Agents.RunTopUps(ctx, a.agentTopUps, 5*time.Second, a.Log)
}
