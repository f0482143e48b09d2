package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
)

// PGServer is a PostgreSQL server of the test's own, in a temporary
// directory on a free port, so that the test may stop and start it as an
// operator restarting the database would. Stop and Start are plain pg_ctl.
type PGServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cred *syscall.Credential // PostgreSQL refuses to run as root
}

// StartPostgres initialises and starts a server with initdb and pg_ctl
// from /usr/lib/postgresql/*/bin (Debian's postgresql package), and skips
// the test with a message where they are missing. The server is stopped
// and its directory removed when the test ends.
func StartPostgres(t testing.TB) *PGServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("PostgreSQL's own server SKIPPED: no /usr/lib/postgresql/*/bin/initdb (Debian package postgresql)")
	}
	sort.Strings(bins)
	s := &PGServer{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "mteja-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("PostgreSQL's own server SKIPPED: running as root and no postgres user to run it as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.run("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	conf := fmt.Sprintf("\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = on\nautovacuum = off\n", s.port, s.dir)
	f, err := os.OpenFile(filepath.Join(s.data(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(conf)
	f.Close()
	s.Start()
	t.Cleanup(func() { s.pgctl("stop", "-m", "immediate") })
	return s
}

func (s *PGServer) data() string { return filepath.Join(s.dir, "data") }

// DSN is the server's postgres database.
func (s *PGServer) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server and waits until it takes connections.
func (s *PGServer) Start() {
	s.t.Helper()
	if err := s.pgctl("start", "-w", "-l", filepath.Join(s.dir, "log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.t.Fatalf("pg_ctl start: %v\n%s", err, log)
	}
}

// Stop stops the server the way a restart does: clients are disconnected
// (57P01) and new connections are refused until Start.
func (s *PGServer) Stop() {
	s.t.Helper()
	if err := s.pgctl("stop", "-w", "-m", "fast"); err != nil {
		s.t.Fatalf("pg_ctl stop: %v", err)
	}
}

func (s *PGServer) pgctl(args ...string) error {
	return s.cmd("pg_ctl", append(args, "-D", s.data())...).Run()
}

func (s *PGServer) run(name string, args ...string) {
	s.t.Helper()
	if out, err := s.cmd(name, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func (s *PGServer) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(filepath.Join(s.bin, name), args...)
	c.Dir = s.dir
	if s.cred != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return c
}
