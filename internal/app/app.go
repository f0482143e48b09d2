// Package app wires Mteja together: configuration → store → domain services
// → HTTP server and workers. It is the only package that imports them all;
// `mteja serve`, `mteja demo` and the end-to-end tests start it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mteja/mteja/internal/agent"
	"github.com/mteja/mteja/internal/api"
	"github.com/mteja/mteja/internal/care"
	"github.com/mteja/mteja/internal/charter"
	"github.com/mteja/mteja/internal/config"
	"github.com/mteja/mteja/internal/customer"
	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/keyword"
	"github.com/mteja/mteja/internal/money"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/sms"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/peer"
	"github.com/mteja/mteja/internal/portal"
	"github.com/mteja/mteja/internal/reconcile"
	"github.com/mteja/mteja/internal/staff"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/sts"
	"github.com/mteja/mteja/internal/usage"
	"github.com/mteja/mteja/internal/vend"
)

// Options are what differs between serve, demo and tests.
type Options struct {
	// Demo runs the Daraja simulator inside the server (under /sim/daraja)
	// and an in-process SMS sink, so nothing outside is needed.
	Demo bool
	Log  *slog.Logger
	// Routes, when set, replace the SMS routes built from the configuration.
	Routes []notify.Route
}

// App is a running Mteja node.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB
	Intake   *payment.Intake
	Vend     *vend.Worker
	Delivery *notify.Worker
	Desk     *care.Desk       // customer care's tickets
	Watchdog *notify.Watchdog // delay notices and delivery incidents; tune before Start
	STK      *payment.STK
	Recovery *payment.Recovery
	Pull     *reconcile.Puller // nil without a Daraja client
	Verifier *payment.Verifier // nil unless large payments are verified before vending
	Staff    *staff.Service    // staff accounts and sessions of the console
	Portal   *portal.Handler   // the customer portal, which hub attendants' assisted sessions use too
	Tariffs  *vend.Tariffs
	Daraja   *mpesa.Client
	Usage    *usage.Counter // self-service uses, for the reports
	// Charter is the service charter; Evaluator judges its cases.
	Charter   *charter.Charter
	Evaluator *charter.Evaluator
	// ISP is the ISP's billing (plans, subscribers, payments to its short
	// codes) and the Decider the RADIUS server asks.
	ISP *isp.Service
	// Radius is the RADIUS server for the ISP's routers; nil unless
	// MTEJA_RADIUS_AUTH_ADDR or MTEJA_RADIUS_ACCT_ADDR is set.
	Radius *radius.Server
	Sim    *mpesa.Simulator // demo only
	ISPSim *mpesa.Simulator // demo only: M-Pesa as the ISP's short code
	Sink   *notify.Sink     // demo only
	// Agents are the agent outlets: cash sales from float, shifts, top-ups.
	Agents      *agent.Service
	agentTopUps chan struct{}
	Mux         *http.ServeMux

	listener net.Listener
	server   *http.Server

	metricsServer   *http.Server // on Config.MetricsAddr, when set
	metricsListener net.Listener
	newSecrets      bool // this start made a callback secret
	keys            *sts.SoftwareGenerator
	closers         []func() error
	keywords        *keyword.Responder
	outages         *outages      // notices of outages (outages.go)
	ispDaraja       *mpesa.Client // the ISP's, as its own short code; nil without Daraja or ISP
	demoRouter      demoRouter    // the demo's hotspot router (DemoHotspotPath)
	radiusMetrics   *radiusMetrics
	cancel          context.CancelFunc
	wg              sync.WaitGroup
	ready           chan struct{}
}

// New opens the database, migrates it and builds the services. It does not
// listen yet: Start does.
func New(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	a := &App{Config: cfg, Log: log, Mux: http.NewServeMux(), ready: make(chan struct{})}
	// Listen first: with port 0 the callback URLs need the real port.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	a.listener = ln
	if a.Config.PublicURL == "" {
		a.Config.PublicURL = "http://" + ln.Addr().String()
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		ln.Close()
		return nil, err
	}
	a.DB = db
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		ln.Close()
		return nil, err
	}
	if err := a.build(ctx, opts); err != nil {
		db.Close()
		ln.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) build(ctx context.Context, opts Options) error {
	cfg := a.Config
	cfg.PublicURL = a.Config.PublicURL
	a.warnKeyFile()
	vkHex, err := cfg.ReadVendingKey()
	if err != nil {
		return err
	}
	if vkHex == "" {
		if !opts.Demo {
			return errors.New("no STS vending key: set MTEJA_VENDING_KEY_FILE (a file holding the key in hex) or MTEJA_VENDING_KEY")
		}
		vkHex = DemoVendingKey
	}
	vk, err := sts.ParseVendingKey(vkHex)
	if err != nil {
		return fmt.Errorf("vending key: %w", err)
	}
	gen, err := sts.NewSoftwareGenerator(vk)
	if err != nil {
		return fmt.Errorf("vending key: %w", err)
	}
	a.keys = gen
	if opts.Demo && cfg.DarajaAllow.Empty() {
		// The demo's Daraja simulator calls from this machine.
		cfg.DarajaAllow = peer.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
		a.Config.DarajaAllow = cfg.DarajaAllow
	}
	if cfg.DarajaAllow.Empty() {
		return errors.New("no Daraja callback allow-list: set MTEJA_DARAJA_ALLOW (-daraja-allow) to the networks M-Pesa calls from. " +
			"Safaricom publishes these callback addresses: " + SafaricomCallbackIPs + ". " +
			"Behind a reverse proxy, also set MTEJA_TRUSTED_PROXIES. Only if another wall guards the callbacks, say -daraja-allow any")
	}
	if a.newSecrets, err = LoadSecrets(ctx, a.DB, &a.Config); err != nil {
		return err
	}
	cfg = a.Config
	if err := a.bootstrapAdmin(ctx); err != nil {
		return err
	}

	a.Tariffs = &vend.Tariffs{DB: a.DB}
	a.Usage = &usage.Counter{DB: a.DB}
	a.Intake = payment.NewIntake(a.DB)
	if err := a.openSpool(); err != nil {
		return err
	}
	a.Vend = &vend.Worker{DB: a.DB, Generator: gen, Tariffs: a.Tariffs, Log: a.Log, Utility: cfg.Utility, USSD: cfg.USSDCode}
	if a.DB.Dialect == store.Postgres {
		// PostgreSQL takes concurrent vend batches (claims skip each
		// other's rows; meters are locked in one order); SQLite has one
		// writer. Past the first, loops join only under a backlog, a
		// backlog being more than a batch: batches of 100, not SQLite's
		// 500, so that a second loop shares a backlog of a few hundred
		// before it ages. Measured with every callback three times, one
		// node: vend p99 318-372 ms -> 177-184 ms for the same rate; three
		// nodes, 60,000 payments: p99 260-273 -> 170-172 ms, 2,388-2,529
		// -> 2,374-2,448 payments/s.
		a.Vend.Loops, a.Vend.Batch = 4, 100
	}
	if opts.Demo && len(cfg.ISPShortCodes) == 0 {
		a.Config.ISPShortCodes = []string{DemoISPShortCode}
		cfg = a.Config
	}

	routes := opts.Routes
	if opts.Demo && routes == nil {
		a.Sink = &notify.Sink{}
		routes = []notify.Route{{Name: "sink", Sender: a.Sink}}
	}
	if routes == nil {
		if routes, err = a.smsRoutes(); err != nil {
			return err
		}
	}
	a.Delivery = &notify.Worker{DB: a.DB, Routes: routes, From: cfg.SMSFrom, Log: a.Log}
	a.Vend.OnVended, a.Vend.Yield = a.Delivery.TokensQueued, a.Delivery.TokenTurn
	a.Desk = &care.Desk{DB: a.DB, SelfHelp: &care.TokenHelp{DB: a.DB, Vend: a.Vend}, Wake: a.Delivery.Wake, Background: true}
	a.Desk.Survey = care.SurveyPolicy{NoCSAT: cfg.SurveyDays == 0, Every: time.Duration(cfg.SurveyDays) * 24 * time.Hour}
	if opts.Demo && a.Config.NPSSample == 0 && cfg.SurveyDays > 0 {
		a.Config.NPSSample = 3 // the demo shows the NPS question too
	}
	if err := a.buildCharter(); err != nil {
		return err
	}
	if cfg.CareCategories != "" {
		if a.Desk.Categories, err = care.LoadCategories(cfg.CareCategories); err != nil {
			return err
		}
	}
	a.Watchdog = a.newWatchdog()
	if a.Sink != nil {
		a.Sink.OnReceipt = a.receipt
	}

	if opts.Demo {
		a.Sim = mpesa.NewSimulator(mpesa.SimConfig{ShortCode: cfg.DarajaShortCode(), ConsumerKey: "demo", ConsumerSecret: "demo",
			STKDelay: 2 * time.Second, MSISDNForm: mpesa.MSISDNHashed, Logger: a.Log})
		a.Mux.Handle("/sim/daraja/", http.StripPrefix("/sim/daraja", a.Sim))
		a.Config.DarajaURL = cfg.PublicURL + "/sim/daraja"
		a.Config.DarajaKey, a.Config.DarajaConsumerSecret, a.Config.DarajaPasskey = "demo", "demo", a.Sim.Passkey()
		a.Config.DarajaInitiator, a.Config.DarajaCredential = "demo", "demo-credential"
		a.demoISPSim()
		cfg = a.Config
	}
	// Without a Daraja client, receipts are looked up among the payments we
	// have; with one, M-Pesa is asked about the others.
	a.Recovery = &payment.Recovery{DB: a.DB, Intake: a.Intake, ShortCodes: cfg.DarajaShortCodes}
	if cfg.DarajaURL != "" {
		a.Daraja = &mpesa.Client{BaseURL: cfg.DarajaURL, ConsumerKey: cfg.DarajaKey, ConsumerSecret: cfg.DarajaConsumerSecret,
			ShortCode: cfg.DarajaShortCode(), Passkey: cfg.DarajaPasskey, Initiator: cfg.DarajaInitiator, SecurityCredential: cfg.DarajaCredential}
		a.STK = &payment.STK{DB: a.DB, Client: a.Daraja, Intake: a.Intake, CallbackURL: a.CallbackURL("stk/callback"), Limits: a.limits}
		a.Recovery.Client, a.Recovery.ResultURL, a.Recovery.TimeoutURL = a.Daraja, a.CallbackURL("status/result"), a.CallbackURL("status/timeout")
		a.STK.VerifyAbove = cfg.DarajaVerifyAbove
		a.Pull = &reconcile.Puller{DB: a.DB, Client: a.Daraja, ShortCode: a.Daraja.ShortCode, Log: a.Log, OnRecorded: a.Vend.Wake}
	}
	if err := a.buildISP(); err != nil {
		return err
	}
	if err := a.buildRadius(); err != nil {
		return err
	}
	if err := a.hotspot(opts.Demo); err != nil {
		return err
	}
	a.buildAgents()
	a.Intake.OnReceived = func() {
		a.Vend.Wake()
		a.ISP.Wake()
		a.wakeAgents()
	}
	if cfg.DarajaVerifyAbove > 0 {
		if a.Daraja == nil {
			return errors.New("-daraja-verify-above needs the Daraja client to ask M-Pesa: set MTEJA_DARAJA_URL and its credentials")
		}
		a.Verifier = payment.NewVerifier(a.Recovery)
		a.Verifier.Log = func(err error) { a.Log.Warn("verify payments", "err", err) }
		a.Intake.OnVerifying = a.Verifier.Wake
	}

	h := &api.Handler{DB: a.DB, Desk: a.Desk, Intake: a.Intake, STK: a.STK, Recovery: a.Recovery, Tariffs: a.Tariffs, Log: a.Log,
		Utility: cfg.Utility, Daraja: peer.Gate{Secret: cfg.DarajaSecret, Allow: cfg.DarajaAllow},
		ShortCodes: append(slices.Clip(cfg.DarajaShortCodes), cfg.ISPShortCodes...), ISP: a.ISP,
		VerifyAbove: cfg.DarajaVerifyAbove, OnMessages: a.Delivery.Wake}
	h.Routes(a.Mux)
	a.Mux.HandleFunc("GET /healthz", a.healthz)
	metrics := a.metrics()
	if cfg.MetricsToken != "" {
		a.Mux.Handle("GET /metrics", a.metricsGuard(metrics))
	}
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics)
		a.metricsServer = &http.Server{Addr: cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	}
	a.routes()
	return a.console()
}

// SafaricomCallbackIPs are the addresses Safaricom publishes for Daraja's
// callbacks, named when serve refuses to start without an allow-list.
const SafaricomCallbackIPs = "196.201.214.200, 196.201.214.206, 196.201.213.114, 196.201.214.207, 196.201.214.208, 196.201.213.44, " +
	"196.201.212.127, 196.201.212.138, 196.201.212.129, 196.201.212.136, 196.201.212.74, 196.201.212.69"

// DemoVendingKey is the public STS test vending key: tokens made with it
// suit test meters only.
const DemoVendingKey = "ABABABABABABABAB"

// CallbackURL is the public URL of one Daraja callback, secret included.
func (a *App) CallbackURL(path string) string {
	return a.Config.PublicURL + "/daraja/" + a.Config.DarajaSecret + "/" + path
}

// USSDURL is the public URL of the USSD gateway's callback, secret included.
func (a *App) USSDURL() string { return a.Config.PublicURL + "/ussd/" + a.Config.USSDSecret }

// SMSURL is the public URL of one HTTP SMS gateway callback ("inbound",
// "delivery"), secret included.
func (a *App) SMSURL(path string) string {
	return a.Config.PublicURL + "/sms/" + a.Config.SMSSecret + "/" + path
}

func (a *App) limits(ctx context.Context, drn string) (money.Amount, money.Amount, error) {
	m, err := customer.GetMeter(ctx, a.DB.Read(), drn)
	if err != nil {
		return 0, 0, err
	}
	t, err := a.Tariffs.Get(ctx, a.DB.Read(), m.TariffID)
	if err != nil {
		return 0, 0, err
	}
	v, err := t.At(time.Now())
	if err != nil {
		return 0, 0, err
	}
	return v.MinPurchase, v.MaxPurchase, nil
}

func (a *App) receipt(r sms.Receipt) {
	if _, err := notify.HandleReceipt(context.Background(), a.DB, r); err != nil {
		a.Log.Error("delivery receipt", "id", r.ProviderID, "err", err)
	}
}

// Start listens and runs the workers until Close.
func (a *App) Start(ctx context.Context) error {
	ln := a.listener
	ctx, a.cancel = context.WithCancel(ctx)
	a.server = &http.Server{Handler: a.handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		MaxHeaderBytes: 64 << 10}
	if a.metricsServer != nil {
		mln, err := net.Listen("tcp", a.metricsServer.Addr)
		if err != nil {
			return fmt.Errorf("metrics listener %s: %w", a.metricsServer.Addr, err)
		}
		a.metricsListener = mln
		a.run(ctx, func(context.Context) {
			if err := a.metricsServer.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.Log.Error("metrics server", "err", err)
			}
		})
	}
	a.run(ctx, a.Intake.Run)
	a.run(ctx, func(ctx context.Context) { a.Intake.RunReplay(ctx, spoolReplayEvery) })
	a.run(ctx, a.Vend.Run)
	a.run(ctx, a.Delivery.Run)
	a.run(ctx, a.ISP.Run)
	a.run(ctx, a.runAgents)
	if err := a.startRadius(ctx); err != nil {
		a.Close()
		return err
	}
	a.run(ctx, a.countUsage)
	a.run(ctx, a.judgeCharter)
	a.run(ctx, a.sweepOutages)
	if a.Config.NPSSample > 0 {
		a.run(ctx, a.askNPS)
	}
	if a.Config.Reminders || a.Config.TariffNotices {
		a.run(ctx, a.sendOutreach)
	}
	if a.DB.Dialect == store.Postgres {
		a.run(ctx, a.keepStatistics)
	}
	a.run(ctx, func(ctx context.Context) { a.DB.RunCheckpoints(ctx, checkpointEvery, a.Log) })
	a.startDelivery(ctx)
	if a.Verifier != nil {
		a.run(ctx, a.Verifier.Run)
	}
	if a.Daraja != nil {
		// STK pushes whose callback never came.
		poller := &payment.STKPoller{DB: a.DB, Client: a.Daraja, USSD: a.Config.USSDCode, Wake: a.Delivery.Wake}
		a.run(ctx, func(ctx context.Context) {
			poller.Run(ctx, 30*time.Second, func(err error) { a.Log.Warn("stk poll", "err", err) })
		})
	}
	a.run(ctx, func(ctx context.Context) {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("http server", "err", err)
		}
	})
	if a.Daraja != nil && a.Sim != nil {
		// The simulator needs our C2B URLs, as Daraja does.
		if _, err := a.Daraja.RegisterC2BURLs(ctx, a.CallbackURL("c2b/confirmation"), a.CallbackURL("c2b/validation"), "Completed"); err != nil {
			a.Close()
			return fmt.Errorf("register C2B URLs with the simulator: %w", err)
		}
		if _, err := a.Daraja.RegisterPull(ctx, "254722000000", a.CallbackURL("pull")); err != nil {
			a.Close()
			return fmt.Errorf("register for the Pull API with the simulator: %w", err)
		}
		if err := a.registerISPSim(ctx); err != nil {
			a.Close()
			return err
		}
	}
	if a.Pull != nil {
		a.run(ctx, a.Pull.Run) // M-Pesa keeps what can be pulled 48 hours
	}
	close(a.ready)
	return nil
}

func (a *App) run(ctx context.Context, fn func(context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn(ctx)
	}()
}

// Addr is the address the server listens on (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// URL is the server's base URL.
func (a *App) URL() string { return "http://" + a.Addr() }

// Close stops the server and the workers, lets queued intake commit, and
// closes the database.
func (a *App) Close() error {
	if a.metricsServer != nil && a.metricsListener != nil {
		a.metricsServer.Close()
	}
	if a.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		a.server.Shutdown(ctx)
		cancel()
	} else if a.listener != nil {
		a.listener.Close() // New listened; Start never ran
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	for _, c := range a.closers {
		c()
	}
	for _, sim := range []*mpesa.Simulator{a.Sim, a.ISPSim} {
		if sim != nil {
			sim.Close()
		}
	}
	return a.DB.Close()
}

func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	select {
	case <-a.ready:
	default:
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	if err := a.DB.Read().PingContext(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintln(w, "ok")
}
