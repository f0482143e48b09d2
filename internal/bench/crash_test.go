package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/ledger"
	"github.com/mteja/mteja/internal/notify"
	"github.com/mteja/mteja/internal/notify/httpsms"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/store/storetest"
)

// crashPlan sizes one crash run.
type crashPlan struct {
	rounds   int           // rounds ended by SIGKILL, before the last one
	payments int           // distinct payments over the whole run
	meters   int           // meters they are spread over
	senders  int           // concurrent callback senders
	maxLife  time.Duration // longest a round runs before its SIGKILL
	// realExpiry: after the last kill, wait for the dead node's message
	// claims to expire by the clock.
	realExpiry bool
}

func crashPlanFor(long bool) crashPlan {
	if long {
		return crashPlan{rounds: 20, payments: 20_000, meters: 1_000, senders: 32, maxLife: 1500 * time.Millisecond, realExpiry: true}
	}
	return crashPlan{rounds: 3, payments: 2_000, meters: 200, senders: 16, maxLife: 700 * time.Millisecond}
}

// TestCrash runs `mteja serve` as a child process and SIGKILLs it at random
// moments while Daraja confirmations pour in, some twice at once and some
// again later, then restarts it on the same database. Confirmations that
// got no acknowledgement are sent again after the restart, as Daraja
// retries them. At the end, with the queues drained: every payment was
// acknowledged and has exactly one vend, every vend one credit token and
// one token message, every token message reached the SMS gateway, and the
// ledger balances.
//
// Short by default (3 rounds); MTEJA_LONG=1 runs 20 rounds.
func TestCrash(t *testing.T) {
	// Most of a run waits for the claims a killed node held to expire:
	// other tests run meanwhile.
	t.Parallel()
	bin := buildMteja(t)
	plan := crashPlanFor(longRun())
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			crashRun(t, bin, d, plan)
		})
	}
}

func crashRun(t *testing.T, bin string, d store.Dialect, plan crashPlan) {
	ctx := context.Background()
	dsn := storetest.DSN(t, d)
	drns := seedDB(t, dsn, plan.meters)

	const secret, smsSecret = "crashtestsecret0123456789", "crashtestsmssecret0123456789"
	gw := httpsms.NewSimulator("mteja", "gateway-key")
	gwSrv := httptest.NewServer(gw)
	t.Cleanup(func() { gwSrv.Close(); gw.Close() })

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// Delivery reports go back to whichever child is running; those sent
	// while none is are lost, as a real gateway's would be after its retries.
	gw.SetCallback(base+"/sms/"+smsSecret+"/delivery", 20*time.Millisecond)

	child := &serveChild{t: t, bin: bin, dir: t.TempDir(), args: []string{
		"serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-db", dsn,
		"-httpsms-url", gwSrv.URL, "-httpsms-user", "mteja",
	}, env: []string{
		"MTEJA_VENDING_KEY=" + app.DemoVendingKey,
		"MTEJA_DARAJA_SECRET=" + secret,
		"MTEJA_SMS_SECRET=" + smsSecret,
		"MTEJA_DARAJA_ALLOW=127.0.0.0/8",
		"MTEJA_HTTPSMS_KEY=gateway-key",
	}}
	t.Cleanup(child.kill)

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	defer db.Close()

	ld := newLoad(plan.payments, drns, base+"/daraja/"+secret+"/c2b/confirmation")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := 1; round <= plan.rounds; round++ {
		child.start()
		life := time.Duration(rng.Int64N(int64(plan.maxLife)))
		ld.run(child, plan.senders, life)
		child.kill()
		// The dead node's message claims would free themselves after 30 s;
		// with no node running, the test moves them past their expiry
		// instead of waiting. The long run waits for real after the last
		// kill, so true expiry is covered too.
		if round < plan.rounds || !plan.realExpiry {
			expireClaims(t, ctx, db)
		}
		t.Logf("round %d: killed after %v; %d of %d payments acknowledged, %d awaiting a resend",
			round, life.Round(time.Millisecond), ld.ackedCount(), plan.payments, ld.pending())
	}

	// The last life runs to the end: everything unacknowledged is resent,
	// the rest of the payments sent, and a tenth of them replayed once
	// more, twice at once, while the node is still vending.
	child.start()
	if err := ld.finish(child, plan.senders, time.Minute); err != nil {
		t.Fatalf("last round: %v", err)
	}
	ld.replayTenth(plan.senders)
	st := ld.stats()
	t.Logf("sent %d callbacks for %d payments: %d failed (node killed), %d concurrent duplicates, %d replays",
		st.posts, plan.payments, st.failures, st.duplicates, st.replays)

	waitDrained(t, ctx, db, child, 90*time.Second)
	child.stop()
	checkCrashInvariants(t, ctx, db, ld, gw)
}

// seedDB migrates the database at dsn and loads a tariff and meters, one
// customer with one phone each, as an operator would before the first
// start.
func seedDB(t *testing.T, dsn string, meters int) []string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	drns, err := seed(ctx, db, meters)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if db.Dialect == store.Postgres {
		// Autovacuum may be off: fresh tables need statistics.
		if _, err := db.Write().ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatalf("analyze: %v", err)
		}
	}
	return drns
}

// buildMteja builds the mteja command once for the calling test.
func buildMteja(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not found to build mteja: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "mteja")
	out, err := exec.Command(gobin, "build", "-o", bin, "github.com/mteja/mteja/cmd/mteja").CombinedOutput()
	if err != nil {
		t.Fatalf("go build mteja: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// serveChild is `mteja serve` as a child process, one life at a time.
type serveChild struct {
	t         *testing.T
	bin, dir  string
	args, env []string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when the current life ends
	err    error         // its exit status
	lives  int
}

// start runs a new life and waits until it prints its callback URLs,
// which it does once it listens and its workers run.
func (c *serveChild) start() {
	c.t.Helper()
	c.lives++
	cmd := exec.Command(c.bin, c.args...)
	cmd.Args = append(cmd.Args, "-data", filepath.Join(c.dir, "data"))
	cmd.Env = append(cleanEnv(), c.env...)
	stderr, err := os.Create(filepath.Join(c.dir, fmt.Sprintf("stderr-%d.log", c.lives)))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start mteja serve: %v", err)
	}
	exited := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		announced := false
		for sc.Scan() {
			if !announced && strings.HasSuffix(strings.TrimSpace(sc.Text()), "/c2b/confirmation") {
				announced = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stdout)
		err := cmd.Wait()
		stderr.Close()
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(exited)
	}()
	c.mu.Lock()
	c.cmd, c.exited = cmd, exited
	c.mu.Unlock()
	select {
	case <-ready:
	case <-exited:
		c.t.Fatalf("mteja serve (life %d) exited at start: %v\n%s", c.lives, c.exitErr(), c.stderrTail())
	case <-time.After(30 * time.Second):
		c.t.Fatalf("mteja serve (life %d) not ready after 30 s\n%s", c.lives, c.stderrTail())
	}
}

// kill ends the current life with SIGKILL: no shutdown code runs.
func (c *serveChild) kill() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
	default:
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}
}

// stop ends the current life gracefully and fails the test unless it
// shuts down cleanly.
func (c *serveChild) stop() {
	c.t.Helper()
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.mu.Unlock()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		if err := c.exitErr(); err != nil {
			c.t.Errorf("mteja serve did not shut down cleanly: %v\n%s", err, c.stderrTail())
		}
	case <-time.After(30 * time.Second):
		c.t.Errorf("mteja serve still running 30 s after SIGTERM\n%s", c.stderrTail())
		c.kill()
	}
}

// dead reports whether the current life ended.
func (c *serveChild) dead() bool {
	c.mu.Lock()
	exited := c.exited
	c.mu.Unlock()
	select {
	case <-exited:
		return true
	default:
		return false
	}
}

func (c *serveChild) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// stderrTail is the end of the current life's log, for failure messages.
func (c *serveChild) stderrTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("stderr-%d.log", c.lives)))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// cleanEnv is the environment without MTEJA_ settings, so a developer's
// own configuration cannot leak into the child.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MTEJA_") {
			env = append(env, kv)
		}
	}
	return env
}

// load is the payment traffic of a crash run. Each payment's confirmation
// body is fixed, so a resend is the same callback Daraja would repeat.
type load struct {
	url    string
	bodies [][]byte
	client *http.Client

	mu    sync.Mutex
	rng   *rand.Rand
	acked []bool
	retry []int // unacknowledged, to resend first
	next  int   // the next payment never sent
	st    loadStats
}

type loadStats struct {
	posts, failures, duplicates, replays int
}

func newLoad(n int, drns []string, url string) *load {
	l := &load{url: url, bodies: make([][]byte, n), acked: make([]bool, n),
		rng:    rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11)),
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	for i := range n {
		l.bodies[i] = confirmation(i, drns[i%len(drns)])
	}
	return l
}

// job is one payment's delivery: copies sent at once, and perhaps an
// earlier payment's callback replayed beside it.
type job struct {
	i, copies, replay int
}

// pick chooses the next job: resends first, then new payments; once all
// are sent, replays only. ok is false when nothing new is left to send.
func (l *load) pick() (j job, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	j = job{i: -1, copies: 1, replay: -1}
	switch {
	case len(l.retry) > 0:
		j.i, l.retry = l.retry[0], l.retry[1:]
	case l.next < len(l.bodies):
		j.i = l.next
		l.next++
	}
	if j.i >= 0 && l.rng.IntN(5) == 0 {
		j.copies = 2
	}
	if l.next > 0 && (j.i < 0 || l.rng.IntN(10) == 0) {
		j.replay = l.rng.IntN(l.next)
	}
	return j, j.i >= 0
}

// do sends the job's callbacks concurrently and records the outcome: a
// payment with no acknowledged copy goes back on the resend list.
func (l *load) do(ctx context.Context, j job) {
	var wg sync.WaitGroup
	ok := make([]bool, j.copies+1)
	send := func(k, i int) {
		defer wg.Done()
		ok[k] = post(ctx, l.client, l.url, l.bodies[i]) == nil
	}
	if j.i >= 0 {
		for k := range j.copies {
			wg.Add(1)
			go send(k, j.i)
		}
	}
	if j.replay >= 0 {
		wg.Add(1)
		go send(j.copies, j.replay)
	}
	wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if j.i >= 0 {
		l.st.posts += j.copies
		if j.copies > 1 {
			l.st.duplicates++
		}
		acked := false
		for k := range j.copies {
			if ok[k] {
				acked = true
			} else {
				l.st.failures++
			}
		}
		if acked {
			l.acked[j.i] = true
		} else {
			l.retry = append(l.retry, j.i)
		}
	}
	if j.replay >= 0 {
		l.st.posts++
		l.st.replays++
		if ok[j.copies] {
			// An acknowledged replay acknowledges its payment too.
			if !l.acked[j.replay] {
				l.acked[j.replay] = true
				l.retry = removeInt(l.retry, j.replay)
			}
		} else {
			l.st.failures++
		}
	}
}

func removeInt(s []int, v int) []int {
	for k, x := range s {
		if x == v {
			return append(s[:k], s[k+1:]...)
		}
	}
	return s
}

// run sends for life, then returns with the senders stopped; the caller
// kills the child at that moment. Sends in flight fail and are resent in
// the next life.
func (l *load) run(c *serveChild, senders int, life time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				j, _ := l.pick()
				if j.i < 0 && j.replay < 0 {
					return
				}
				l.do(ctx, j)
			}
		}()
	}
	time.Sleep(life)
	c.kill()
	cancel()
	wg.Wait()
}

// finish sends until every payment is acknowledged.
func (l *load) finish(c *serveChild, senders int, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		var wg sync.WaitGroup
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					j, ok := l.pick()
					if !ok {
						return
					}
					l.do(ctx, j)
				}
			}()
		}
		wg.Wait()
		if l.pending() == 0 && l.ackedCount() == len(l.bodies) {
			return nil
		}
		if c.dead() {
			return fmt.Errorf("mteja serve died: %v\n%s", c.exitErr(), c.stderrTail())
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%d payments still unacknowledged after %v", len(l.bodies)-l.ackedCount(), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// replayTenth delivers a tenth of the payments again, twice each at once.
func (l *load) replayTenth(senders int) {
	n := len(l.bodies)
	picks := make(chan int)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range picks {
				var rw sync.WaitGroup
				for range 2 {
					rw.Add(1)
					go func() {
						defer rw.Done()
						err := post(context.Background(), l.client, l.url, l.bodies[i])
						l.mu.Lock()
						l.st.posts++
						l.st.replays++
						if err != nil {
							l.st.failures++
						}
						l.mu.Unlock()
					}()
				}
				rw.Wait()
			}
		}()
	}
	for i := 0; i < n; i += 10 {
		picks <- i
	}
	close(picks)
	wg.Wait()
}

func (l *load) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.acked {
		if a {
			n++
		}
	}
	return n
}

func (l *load) pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.retry)
}

func (l *load) stats() loadStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st
}

// expireClaims ends every message claim, as the passing of the claim
// time would. Only for when no node runs.
func expireClaims(t *testing.T, ctx context.Context, db *store.DB) {
	t.Helper()
	if _, err := db.Write().ExecContext(ctx, `UPDATE messages SET claimed_until = 0 WHERE claimed_until > 0`); err != nil {
		t.Fatalf("expire claims: %v", err)
	}
}

// waitDrained waits until no payment waits for its vend and no message
// for its send.
func waitDrained(t *testing.T, ctx context.Context, db *store.DB, c *serveChild, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		received, queued, err := backlog(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if received == 0 && queued == 0 {
			return
		}
		if c.dead() {
			t.Fatalf("mteja serve died while draining: %v\n%s", c.exitErr(), c.stderrTail())
		}
		if time.Now().After(deadline) {
			t.Fatalf("not drained after %v: %d payments received, %d messages queued\n%s", limit, received, queued, c.stderrTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkCrashInvariants reads the outcome back from the database.
func checkCrashInvariants(t *testing.T, ctx context.Context, db *store.DB, l *load, gw *httpsms.Simulator) {
	t.Helper()
	q := db.Read()

	// Every payment: stored once, applied, exactly one vend.
	type pay struct {
		state string
		vends int
	}
	pays := map[string]pay{}
	rows, err := q.QueryContext(ctx, `SELECT p.receipt, p.state, (SELECT count(*) FROM vends v WHERE v.payment_id = p.id) FROM payments p`)
	if err != nil {
		t.Fatalf("payments: %v", err)
	}
	stored := 0
	for rows.Next() {
		var r string
		var p pay
		if err := rows.Scan(&r, &p.state, &p.vends); err != nil {
			t.Fatalf("payments: %v", err)
		}
		stored++
		if _, dup := pays[r]; dup {
			t.Errorf("receipt %s stored twice", r)
		}
		pays[r] = p
	}
	rows.Close()
	if stored != len(l.bodies) {
		t.Errorf("%d payments stored, want %d", stored, len(l.bodies))
	}
	var errs []string
	for i, acked := range l.acked {
		r := receipt(i)
		p, ok := pays[r]
		switch {
		case !acked:
			errs = append(errs, r+": never acknowledged")
		case !ok:
			errs = append(errs, r+": acknowledged but not stored")
		case p.state != "applied" || p.vends != 1:
			errs = append(errs, fmt.Sprintf("%s: state %s with %d vends, want applied with 1", r, p.state, p.vends))
		}
	}
	reportSome(t, "payments", errs)

	// Every vend: one credit token, one token message (one phone each).
	errs = nil
	rows, err = q.QueryContext(ctx, `SELECT v.id,
		(SELECT count(*) FROM tokens t WHERE t.vend_id = v.id AND t.kind = 'credit'),
		(SELECT count(*) FROM messages m WHERE m.ref = v.id AND m.template = 'token')
		FROM vends v`)
	if err != nil {
		t.Fatalf("vends: %v", err)
	}
	for rows.Next() {
		var id string
		var tokens, msgs int
		if err := rows.Scan(&id, &tokens, &msgs); err != nil {
			t.Fatalf("vends: %v", err)
		}
		if tokens != 1 || msgs != 1 {
			errs = append(errs, fmt.Sprintf("vend %s: %d credit tokens and %d token messages, want 1 and 1", id, tokens, msgs))
		}
	}
	rows.Close()
	reportSome(t, "vends", errs)

	// Every token message went out: the gateway got its text at least
	// once. More than once is allowed (the design allows the same token
	// SMS twice, never two tokens); it is counted, not hidden. The one
	// excuse for never reaching the gateway is a send that was under way
	// when its node was killed: the worker then records it submitted with
	// its outcome unknown (no provider id) and never sends it again on that
	// route, leaving the token to the watchdog's delay notice.
	errs = nil
	got := map[string]int{}
	for _, m := range gw.Messages() {
		if m.StatusCode == httpsms.StatusSent {
			got[m.Text]++
		}
	}
	rows, err = q.QueryContext(ctx, `SELECT id, state, provider_id, body FROM messages WHERE template = 'token'`)
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	resent, unknown := 0, 0
	for rows.Next() {
		var id, state, provider, body string
		if err := rows.Scan(&id, &state, &provider, &body); err != nil {
			t.Fatalf("messages: %v", err)
		}
		switch n := got[body]; {
		case n == 0 && state == notify.StateSubmitted && provider == "":
			unknown++
		case n == 0:
			errs = append(errs, fmt.Sprintf("message %s (%s, provider id %q) never reached the gateway", id, state, provider))
		case n > 1:
			resent++
		}
	}
	rows.Close()
	reportSome(t, "token messages", errs)
	if resent > 0 {
		t.Logf("%d token messages reached the gateway more than once (sent again after a kill)", resent)
	}
	if unknown > 0 {
		t.Logf("%d token messages were being sent when their node was killed and never reached the gateway: their outcome is unknown, so they are not sent again; only a delay notice can bring their tokens", unknown)
	}

	if err := ledger.Check(ctx, q); err != nil {
		t.Errorf("ledger: %v", err)
	}
}

// reportSome fails the test with the first few problems and their count.
func reportSome(t *testing.T, what string, errs []string) {
	t.Helper()
	if len(errs) == 0 {
		return
	}
	show := errs[:min(len(errs), 10)]
	t.Errorf("%s: %d problems:\n  %s", what, len(errs), strings.Join(show, "\n  "))
}
