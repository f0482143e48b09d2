package app

import (
	"crypto/md5"
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"

	"github.com/mteja/mteja/internal/isp/radius"
)

// DemoHotspotPath is where the demo plays a MikroTik hotspot: opening it
// is a customer's browser sent by the router to the captive page, and its
// login URL (/demo/hotspot/login) takes the captive page's login form,
// as the router would, and asks billing as the router's RADIUS request
// would.
const DemoHotspotPath = "/demo/hotspot"

// demoRouter remembers the CHAP challenges it handed out, as a router
// does for each customer's login page.
type demoRouter struct {
	mu         sync.Mutex
	challenges map[string]string // challenge → id, the latest few
	order      []string
}

const demoChallenges = 64

var demoRouterPage = template.Must(template.New("router").Parse(`<!doctype html>
<html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Demo hotspot</title>
<h1>Demo hotspot</h1>{{if .Accepted}}<p>You are logged in as {{.Username}}.</p><p>Speed {{.Rate}}{{if .Left}}, {{.Left}} left{{end}}.</p>
{{else}}<p>Login refused: {{.Message}}</p>{{end}}</html>`))

// demoHotspot sends the visitor to the captive page with the router's
// variables, a new CHAP challenge among them.
func (a *App) demoHotspot(w http.ResponseWriter, r *http.Request) {
	id, ch := make([]byte, 1), make([]byte, 16)
	rand.Read(id)
	rand.Read(ch)
	dr := &a.demoRouter
	dr.mu.Lock()
	if dr.challenges == nil {
		dr.challenges = map[string]string{}
	}
	dr.challenges[string(ch)] = string(id)
	dr.order = append(dr.order, string(ch))
	if len(dr.order) > demoChallenges {
		delete(dr.challenges, dr.order[0])
		dr.order = dr.order[1:]
	}
	dr.mu.Unlock()
	q := url.Values{"link-login-only": {a.Config.PublicURL + DemoHotspotPath + "/login"}, "link-orig": {"http://example.com/"},
		"mac": {"AA:BB:CC:DD:EE:02"}, "ip": {"10.5.50.2"}, "chap-id": {octalEscape(id)}, "chap-challenge": {octalEscape(ch)}}
	http.Redirect(w, r, "/hotspot/?"+q.Encode(), http.StatusFound)
}

// demoHotspotLogin is the router's login URL: it checks the CHAP response
// against the challenges it gave (or the password, PAP) through billing,
// as its RADIUS request would.
func (a *App) demoHotspotLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	username, sent := r.PostFormValue("username"), r.PostFormValue("password")
	dr := &a.demoRouter
	dr.mu.Lock()
	challenges := make(map[string]string, len(dr.challenges))
	for ch, id := range dr.challenges {
		challenges[ch] = id
	}
	dr.mu.Unlock()
	check := func(password string) bool {
		if sent == password {
			return true
		}
		for ch, id := range challenges {
			if fmt.Sprintf("%x", md5.Sum([]byte(id+password+ch))) == strings.ToLower(sent) {
				return true
			}
		}
		return false
	}
	nas, ok, err := a.ISP.NASByAddr(r.Context(), netip.MustParseAddr("127.0.0.1"))
	if err != nil || !ok {
		http.Error(w, "the demo router is not listed", http.StatusInternalServerError)
		return
	}
	d, err := a.ISP.Authorize(r.Context(), radius.AuthRequest{NAS: nas, Username: username, Check: check, CallingStationID: "AA:BB:CC:DD:EE:02",
		NASPortType: "Wireless-802.11"})
	if err != nil {
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	data := struct {
		Accepted             bool
		Username, Rate, Left string
		Message              string
	}{Accepted: d.Verdict == radius.Accept, Username: username, Rate: d.RateLimit, Message: d.Message}
	if d.SessionTimeout > 0 {
		data.Left = d.SessionTimeout.String()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	demoRouterPage.Execute(w, data)
}

// octalEscape writes bytes as MikroTik writes $(chap-id) and
// $(chap-challenge): "\ooo" each.
func octalEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "\\%03o", c)
	}
	return s.String()
}
