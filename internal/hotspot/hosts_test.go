package hotspot

import (
	"net/url"
	"testing"
)

func TestHostsAllow(t *testing.T) {
	tests := []struct {
		setting string
		host    string
		want    bool
	}{
		// The default: a router's own address on its customers' network.
		{"", "10.5.50.1", true},
		{"", "192.168.88.1", true},
		{"", "172.16.0.1", true},
		{"", "fd00::1", true},
		{"", "::ffff:10.5.50.1", true},
		{"", "127.0.0.1", false},
		{"", "169.254.1.1", false},
		{"", "8.8.8.8", false},
		{"", "evil.example", false},
		{"", "hotspot.lan", false},
		{"", "fe80::1%eth0", false},
		// A setting replaces the default.
		{"hotspot.lan, 203.0.113.0/24", "hotspot.lan", true},
		{"hotspot.lan, 203.0.113.0/24", "HOTSPOT.LAN", true},
		{"hotspot.lan, 203.0.113.0/24", "203.0.113.9", true},
		{"hotspot.lan, 203.0.113.0/24", "10.5.50.1", false},
		{"hotspot.lan, 203.0.113.0/24", "x.hotspot.lan", false},
		{"hotspot.lan, 203.0.113.0/24", "hotspot.lan.evil.example", false},
		{"private,198.51.100.7", "10.5.50.1", true},
		{"private,198.51.100.7", "198.51.100.7", true},
		{"private,198.51.100.7", "198.51.100.8", false},
	}
	for _, tt := range tests {
		h, err := ParseHosts(tt.setting)
		if err != nil {
			t.Fatalf("ParseHosts(%q): %v", tt.setting, err)
		}
		if got := h.Allows(tt.host); got != tt.want {
			t.Errorf("hosts %q allow %q = %v; want %v", tt.setting, tt.host, got, tt.want)
		}
	}
	for _, bad := range []string{"evil_host", "http://10.5.50.1", "10.0.0.0/33", "*.lan"} {
		if _, err := ParseHosts(bad); err == nil {
			t.Errorf("ParseHosts(%q): no error", bad)
		}
	}
}

func TestReadRouter(t *testing.T) {
	var def Hosts
	tests := []struct {
		login string
		want  string // the login URL kept; "" when refused
	}{
		{"http://10.5.50.1/login", "http://10.5.50.1/login"},
		{"https://192.168.88.1:8443/login?dst=x#frag", "https://192.168.88.1:8443/login?dst=x"},
		{"https://evil.example/login", ""},
		{"http://10.5.50.1@evil.example/login", ""},
		{"http://evil.example\\@10.5.50.1/", ""},
		{"http://evil.example#@10.5.50.1/", ""},
		{"//10.5.50.1/login", ""},
		{"/login", ""},
		{"javascript:alert(1)//10.5.50.1", ""},
		{"ftp://10.5.50.1/", ""},
		{"http://10.5.50.1/login\r\nSet-Cookie: a=b", ""},
		{"http://127.0.0.1/login", ""},
		{"http://[::1]/login", ""},
		{"http://0x7f000001/login", ""},
		{"http://10.5.50.1./login", ""},
	}
	for _, tt := range tests {
		r, err := readRouter(url.Values{"link-login-only": {tt.login}}, def)
		if got := r.Login; got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("login URL %q: kept %q (%v); want %q", tt.login, got, err, tt.want)
		}
	}
	if _, err := readRouter(url.Values{}, def); err != errNoRouter {
		t.Errorf("no login URL: %v", err)
	}
	// The other fields are dropped when malformed.
	r, err := readRouter(url.Values{"link-login": {"http://10.5.50.1/login"}, "link-orig": {"javascript:alert(1)"}, "mac": {"aa:bb:cc:dd:ee:ff"},
		"ip": {"10.5.50.9<"}, "chap-id": {`\401`}, "chap-challenge": {`\001`}}, def)
	if err != nil || r.Orig != "" || r.MAC != "AA:BB:CC:DD:EE:FF" || r.IP != "" || r.ChapID != "" {
		t.Errorf("router %+v, %v", r, err)
	}
}

// TestCHAP: the password the login form sends is MikroTik's
// hexMD5(chap-id + password + chap-challenge), from its octal escapes.
func TestCHAP(t *testing.T) {
	r := router{ChapID: `\001`, ChapChallenge: `\002\003\377`}
	// md5 of the bytes 01 'p' 'w' 02 03 ff, computed by hand with md5sum.
	if got, want := r.password("pw"), "2ebbffea4ecd340fdd41af766dcf3249"; got != want {
		t.Errorf("CHAP response %s; want %s", got, want)
	}
	if got := (router{}).password("pw"); got != "pw" {
		t.Errorf("PAP password %q", got)
	}
}
