package proxytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// DeployConfig is the nginx configuration recommended to operators, as a
// path from the module's root. The proxy runs this file.
const DeployConfig = "deploy/nginx.conf"

// site is what changes in the recommended configuration for a test: where
// nginx listens, its certificate, its log and where Mteja listens.
type site struct {
	https, http       string // 127.0.0.1:PORT
	cert, key, access string // files
	upstream          string // Mteja's HOST:PORT
}

// edit is one change to the recommended file: the directive's arguments
// that the regexp's second group matches become with; the file must have
// the directive exactly n times, so that the test fails, naming it, when
// the recommendation and the test drift apart.
type edit struct {
	re   *regexp.Regexp
	with string
	n    int
}

func directive(name, args string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(\s*` + regexp.QuoteMeta(name) + `\s+)(` + args + `)`)
}

// siteConfig is the recommended file with only s's addresses and paths put
// in.
func siteConfig(recommended string, s site) (string, error) {
	edits := []edit{
		{directive("listen", `443 ssl;`), s.https + " ssl;", 1},
		{directive("listen", `80;`), s.http + ";", 1},
		{directive("ssl_certificate", `\S+;`), s.cert + ";", 1},
		{directive("ssl_certificate_key", `\S+;`), s.key + ";", 1},
		// The log format that follows the path is kept: it is under test.
		{directive("access_log", `\S+`), s.access, 2},
		{directive("proxy_pass", `\S+;`), "http://" + s.upstream + ";", 1},
	}
	conf := recommended
	for _, e := range edits {
		if n := len(e.re.FindAllString(conf, -1)); n != e.n {
			return "", fmt.Errorf("%s: %d lines match %s, want %d", DeployConfig, n, e.re, e.n)
		}
		conf = e.re.ReplaceAllString(conf, "${1}"+strings.ReplaceAll(e.with, "$", "$$"))
	}
	return conf, nil
}

// mainConfig is the nginx.conf that includes the site: everything nginx
// would otherwise read or write under /etc, /var or /run is in dir, so no
// root is needed (and as root, the workers stay root to reach dir).
func mainConfig(dir, site string) string {
	var b strings.Builder
	if os.Geteuid() == 0 {
		b.WriteString("user root;\n")
	}
	fmt.Fprintf(&b, `worker_processes 1;
events {
    worker_connections 256;
}
http {
    default_type application/octet-stream;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    # Only the site's own logs: a server without one logs nothing, and the
    # test that reads the site's log then fails.
    access_log off;
    # The app trusts exactly 127.0.0.1, so the proxy must connect from it.
    proxy_bind 127.0.0.1;
    include %[2]s;
}
`, dir, filepath.Join(dir, site))
	return b.String()
}

// moduleRoot is the directory above the working directory that holds
// go.mod: go test runs each package's tests in its own directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = up
	}
}
