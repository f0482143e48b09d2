package app

import (
	"context"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/agentweb"
)

// buildAgents makes the agent outlets' service: its sales wake the vend
// worker, and the intake wakes its top-up applier.
func (a *App) buildAgents() {
	a.Agents = &agent.Service{DB: a.DB, Wake: a.Vend.Wake, OnMessages: a.Delivery.Wake}
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

// agentPages serves the agents' web page at /agent/.
func (a *App) agentPages() {
	(&agentweb.Handler{DB: a.DB, Agents: a.Agents, Log: a.Log, Utility: a.Config.Utility, OnMessages: a.Delivery.Wake,
		// Behind https (production) the cookie must be Secure; the demo and
		// tests run on plain http.
		Secure: !strings.HasPrefix(a.Config.PublicURL, "http://")}).Routes(a.Mux)
}
