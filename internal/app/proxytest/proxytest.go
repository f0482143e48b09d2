// Package proxytest runs Debian's nginx as a TLS-terminating reverse proxy
// in front of an app under test, configured by the file recommended to
// operators (deploy/nginx.conf) with only its addresses and paths changed.
// The proxy is its own process with its own certificate, ports and logs in
// a temporary directory; it connects to the app from 127.0.0.1.
package proxytest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultNginx is where Debian installs nginx; MTEJA_NGINX names another.
const DefaultNginx = "/usr/sbin/nginx"

// Proxy is nginx in front of an app.
type Proxy struct {
	URL       string // https://127.0.0.1:PORT
	HTTPURL   string // http://127.0.0.1:PORT, the server that sends browsers to https
	AccessLog string // the file both servers log to

	t       testing.TB
	nginx   string
	dir     string
	cert    string
	key     string
	roots   *x509.CertPool
	lns     []*net.TCPListener // https, http: held until nginx takes them
	cmd     *exec.Cmd
	exited  chan struct{}
	stopped sync.Once
}

// New finds nginx (skipping the test, loudly, when there is none), makes
// the certificate and takes the proxy's two ports, so that the app can be
// told its public https URL before it starts. Start then runs nginx.
func New(t testing.TB) *Proxy {
	t.Helper()
	bin := os.Getenv("MTEJA_NGINX")
	if bin == "" {
		bin = DefaultNginx
	}
	if _, err := os.Stat(bin); err != nil {
		msg := fmt.Sprintf("reverse proxy tests SKIPPED: no nginx at %s (Debian: apt-get install nginx; scripts/test installs it)", bin)
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	p := &Proxy{t: t, nginx: bin, dir: t.TempDir()}
	p.AccessLog = filepath.Join(p.dir, "access.log")
	p.cert, p.key, p.roots = selfSigned(t, p.dir)
	for range 2 {
		ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		p.lns = append(p.lns, ln)
	}
	t.Cleanup(p.closeListeners)
	p.URL = "https://" + p.lns[0].Addr().String()
	p.HTTPURL = "http://" + p.lns[1].Addr().String()
	return p
}

// Start runs nginx in front of upstream (the app's HOST:PORT) and waits
// until it answers; the test's cleanup stops it.
func (p *Proxy) Start(upstream string) {
	t := p.t
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	recommended, err := os.ReadFile(filepath.Join(root, DeployConfig))
	if err != nil {
		t.Fatal(err)
	}
	site, err := siteConfig(string(recommended), site{
		https: p.lns[0].Addr().String(), http: p.lns[1].Addr().String(),
		cert: p.cert, key: p.key, access: p.AccessLog, upstream: upstream})
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(p.dir, "nginx.conf")
	for name, text := range map[string]string{"mteja.conf": site, "nginx.conf": mainConfig(p.dir, "mteja.conf")} {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// nginx takes listening sockets from its parent (as in its own binary
	// upgrade) when NGINX names their descriptors and a listen directive
	// has their address. Handing over the ports New took leaves no moment
	// in which another process could take them.
	var files []*os.File
	for _, ln := range p.lns {
		f, err := ln.File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	p.cmd = exec.Command(p.nginx, "-e", "stderr", "-p", p.dir, "-c", conf,
		"-g", fmt.Sprintf("daemon off; pid %s; error_log stderr;", filepath.Join(p.dir, "nginx.pid")))
	p.cmd.ExtraFiles = files // descriptors 3 and 4
	p.cmd.Env = append(os.Environ(), "NGINX=3;4;")
	out, err := os.Create(filepath.Join(p.dir, "nginx.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	// os/exec hands descriptors over in blocking mode, and nginx, which
	// makes the sockets it opens itself non-blocking, takes inherited ones
	// as they come. The mode belongs to the socket, shared with the copy
	// here.
	for _, f := range files {
		if rc, err := f.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { syscall.SetNonblock(int(fd), true) })
		}
	}
	p.closeListeners()
	p.exited = make(chan struct{})
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.Stop)
	p.waitReady()
}

// waitReady waits until nginx completes a TLS handshake: it answers then,
// whether or not the app behind it does yet.
func (p *Proxy) waitReady() {
	t := p.t
	t.Helper()
	addr := strings.TrimPrefix(p.URL, "https://")
	deadline := time.Now().Add(15 * time.Second)
	for {
		d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: &tls.Config{RootCAs: p.roots}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := d.DialContext(ctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-p.exited:
			t.Fatalf("nginx exited: %v\n%s", p.cmd.ProcessState, p.said())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not answer at %s: %v\n%s", p.URL, err, p.said())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop asks nginx to finish its requests and exit, and kills it if it has
// not within ten seconds; then it fails the test if nginx logged an error.
// The test's cleanup calls it too.
func (p *Proxy) Stop() { p.stopped.Do(p.quit) }

func (p *Proxy) quit() {
	p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	said := p.said()
	for _, l := range strings.Split(said, "\n") {
		for _, level := range []string{"[emerg]", "[alert]", "[crit]", "[error]"} {
			if strings.Contains(l, level) {
				p.t.Errorf("nginx logged an error: %s", l)
			}
		}
	}
	if p.t.Failed() {
		p.t.Logf("nginx said:\n%s", said)
	}
}

// said is what nginx wrote on its standard output and error.
func (p *Proxy) said() string {
	b, _ := os.ReadFile(filepath.Join(p.dir, "nginx.out"))
	return string(b)
}

func (p *Proxy) closeListeners() {
	for _, ln := range p.lns {
		ln.Close()
	}
}

// Log returns the access log written so far. nginx writes a request's
// line after it has answered, so only after Stop is the log sure to hold
// every request.
func (p *Proxy) Log() string {
	p.t.Helper()
	b, err := os.ReadFile(p.AccessLog)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		p.t.Fatal(err)
	}
	return string(b)
}

// Client returns a client of the proxy that connects from the local
// address from (on Linux, any of 127.0.0.0/8) and trusts the proxy's
// certificate. Like Direct's, it does not follow redirects, so that a test
// sees every answer and the cookies it sets.
func (p *Proxy) Client(from string) *http.Client {
	return client(p.t, from, &tls.Config{RootCAs: p.roots})
}

// Roots holds the proxy's certificate, for clients of its own making.
func (p *Proxy) Roots() *x509.CertPool { return p.roots }

// Direct returns a plain-http client that connects from the local address
// from, for going to the app past the proxy.
func Direct(t testing.TB, from string) *http.Client { return client(t, from, nil) }

func client(t testing.TB, from string, tlsConf *tls.Config) *http.Client {
	ip := net.ParseIP(from)
	if ip == nil {
		t.Fatalf("client from %q: not an address", from)
	}
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, TLSClientConfig: tlsConf}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
