package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/mteja/mteja/internal/app"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/payment/mpesa"
	"github.com/mteja/mteja/internal/store"
	"github.com/mteja/mteja/internal/vend"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// background runs a long-lived command until the test ends, its output in
// a buffer.
func background(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, args, out, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// A new utility, as the README tells it, on `mteja serve` with the
// simulators standing in for M-Pesa and the SMS gateway: import a tariff
// and meters, make the first staff account, serve, register the C2B URLs,
// sell a token by a simulated Paybill payment; the SMS arrives; the admin
// sets up their account with TOTP, finds the customer by the M-Pesa code in
// the console and sees the token and its SMS on one screen.
func TestServeStory(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "utility.db")
	darajaAddr, smsAddr, appAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	base := "http://" + appAddr
	dbArgs := []string{"-db", db, "-data", filepath.Join(dir, "data")}
	common := append(dbArgs[:len(dbArgs):len(dbArgs)], "-addr", appAddr)

	background(t, "sim", "daraja", "-addr", darajaAddr)
	smsOut := background(t, "sim", "sms", "-addr", smsAddr)
	for k, v := range map[string]string{
		"MTEJA_VENDING_KEY": app.DemoVendingKey, "MTEJA_DARAJA_URL": "http://" + darajaAddr, "MTEJA_DARAJA_SHORTCODE": "888880",
		"MTEJA_DARAJA_CONSUMER_KEY": simKey, "MTEJA_DARAJA_CONSUMER_SECRET": simSecret, "MTEJA_DARAJA_PASSKEY": mpesa.SandboxPasskey,
		"MTEJA_DARAJA_INITIATOR": simInitiator, "MTEJA_DARAJA_SECURITY_CREDENTIAL": simCredential, "MTEJA_DARAJA_ALLOW": "127.0.0.0/8",
		"MTEJA_HTTPSMS_URL": "http://" + smsAddr, "MTEJA_HTTPSMS_USER": simKey, "MTEJA_HTTPSMS_KEY": simSecret,
	} {
		t.Setenv(k, v)
	}
	meter := drn(t, 41)
	for _, args := range [][]string{
		{"tariff", "import", sampleTariff},
		{"import", "meters", writeCSV(t, "meter,name,phones,language,sgc,tariff,area", meter+",Grace Achieng,0712000111,en,123456,kenya-domestic-sample,Kisumu")},
	} {
		if code, stdout, stderr := runCmd(t, append(args, dbArgs...)...); code != 0 {
			t.Fatalf("mteja %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	code, link, stderr := runCmd(t, append([]string{"user", "add", "jkamau", "admin"}, common...)...)
	if code != 0 || !strings.HasPrefix(link, base+"/staff/setup/") {
		t.Fatalf("user add: exit %d %q\n%s", code, link, stderr)
	}
	link = strings.TrimSpace(link)

	s := serve(t, common...)
	if code, stdout, stderr := runCmd(t, append([]string{"callbacks", "-register"}, common...)...); code != 0 {
		t.Fatalf("callbacks -register: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCmd(t, "sim", "pay", "-daraja", "http://"+darajaAddr, "-phone", "0712000111", "-meter", meter, "-amount", "500"); code != 0 {
		t.Fatalf("sim pay: exit %d\n%s%s", code, stdout, stderr)
	}
	dbh, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer dbh.Close()
	var receipt string
	waitFor(t, "the payment to be vended", func() bool {
		ps, _ := payment.List(context.Background(), dbh.Read(), payment.Filter{State: payment.Applied})
		if len(ps) == 1 {
			receipt = ps[0].Receipt
		}
		return receipt != ""
	})
	v, err := vend.ByReceipt(context.Background(), dbh.Read(), receipt)
	if err != nil || len(v.Tokens) != 1 {
		t.Fatalf("vend of %s: %+v, %v", receipt, v, err)
	}
	grouped := strings.ReplaceAll(v.Tokens[0].Grouped(), " ", "-")
	waitFor(t, "the token SMS at the gateway", func() bool { return strings.Contains(smsOut.String(), grouped) })

	// The admin's set-up and the console.
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (int, http.Header, string) {
		resp, err := web.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	post := func(u string, form url.Values) (int, http.Header, string) {
		resp, err := web.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	_, _, page := get(link)
	m := regexp.MustCompile(`<span class="tok">([A-Z2-7]+)</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the set-up page shows no key:\n%s", page)
	}
	now := time.Now()
	c, _ := totp.GenerateCode(m[1], now)
	if status, _, _ := post(link, url.Values{"password": {"grace hopper wrote cobol"}, "password2": {"grace hopper wrote cobol"}, "code": {c}}); status != http.StatusOK {
		t.Fatalf("set-up: %d", status)
	}
	c, _ = totp.GenerateCode(m[1], now.Add(30*time.Second))
	if status, h, _ := post(base+"/staff/signin", url.Values{"username": {"jkamau"}, "password": {"grace hopper wrote cobol"}, "code": {c}}); status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %v", status, h)
	}
	status, h, _ := get(base + "/staff/search?q=" + receipt)
	if status != http.StatusSeeOther {
		t.Fatalf("search by receipt: %d", status)
	}
	_, _, page = get(base + h.Get("Location"))
	for _, want := range []string{"Grace Achieng", meter, receipt, grouped, "httpsms"} {
		if !strings.Contains(page, want) {
			t.Errorf("the customer page lacks %q", want)
		}
	}
	if code := s.stop(); code != 0 {
		t.Errorf("serve: exit %d\n%s", code, s.err)
	}
}
