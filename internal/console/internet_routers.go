package console

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mteja/mteja/internal/isp"
)

type routersData struct {
	Routers   []isp.Router
	CanChange bool
	Form      routerForm
}

type routerForm struct{ Name, Addr, Port string }

// routers lists the routers that may talk RADIUS to us, with their open
// sessions and when their accounting was last heard; admins add and
// remove them. Secrets are never shown here.
func (h *Handler) routers(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	return h.routersPage(w, v, svc, http.StatusOK, routerForm{Port: "3799"}, "")
}

func (h *Handler) routersPage(w http.ResponseWriter, v *visit, svc *isp.Service, status int, f routerForm, problem string) error {
	rs, err := svc.RouterList(v.r.Context())
	if err != nil {
		return err
	}
	d := routersData{Routers: rs, CanChange: Allows(adminRoles, v.user().Role), Form: f}
	p := h.page(v, "routers.title", d)
	p.Err = problem
	if v.r.URL.Query().Get("done") == "removed" {
		p.Notice = t(v.lang, "routers.removed")
	}
	return h.render(w, v, status, "internet_routers", p)
}

type routerAddedData struct {
	Router isp.Router
	Secret string
}

// routerAdd lists a router. Its shared secret is made here unless typed
// (a router already set up keeps its own), and shown this once: it is
// stored sealed and never displayed again.
func (h *Handler) routerAdd(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	fm, err := readForm(v)
	if err != nil {
		return err
	}
	f := routerForm{Name: fm.str("name"), Addr: fm.str("addr"), Port: fm.str("port")}
	addr, err := netip.ParseAddr(f.Addr)
	if err != nil {
		return h.routersPage(w, v, svc, http.StatusBadRequest, f, t(v.lang, "routers.bad.addr"))
	}
	port := 0
	if f.Port != "" {
		if port, err = strconv.Atoi(f.Port); err != nil {
			return h.routersPage(w, v, svc, http.StatusBadRequest, f, t(v.lang, "routers.bad.port"))
		}
	}
	secret := fm.values.Get("secret")
	if secret == "" {
		secret = rand.Text() // 26 letters and digits, 130 bits, which RouterOS takes as typed
	}
	n, err := svc.AddNAS(v.r.Context(), f.Name, addr, secret, port, v.user().Actor())
	if errors.Is(err, isp.ErrNAS) {
		return h.routersPage(w, v, svc, http.StatusBadRequest, f, nasProblem(v.lang, err))
	}
	if err != nil {
		return err
	}
	n.Secret = nil
	return h.render(w, v, http.StatusOK, "internet_router_added", h.page(v, "routers.added", routerAddedData{Router: isp.Router{NAS: n}, Secret: secret}))
}

// nasRules are isp.AddNAS's rules, by words of its error, each with the
// page's words for it.
var nasRules = []struct{ words, key string }{
	{"a name", "routers.bad.name"},
	{"the address", "routers.bad.addr"},
	{"a shared secret", "routers.bad.secret"},
	{"the CoA port", "routers.bad.port"},
	{"listed already", "routers.bad.taken"},
}

// nasProblem says in lang why billing refused a router.
func nasProblem(lang string, err error) string {
	for _, r := range nasRules {
		if strings.Contains(err.Error(), r.words) {
			return t(lang, r.key)
		}
	}
	return t(lang, "net.err.nas") + " " + err.Error()
}

// routerRemove unlists a router: its packets are dropped from then on.
func (h *Handler) routerRemove(w http.ResponseWriter, v *visit, svc *isp.Service) error {
	if err := svc.RemoveNAS(v.r.Context(), v.r.PathValue("id"), v.user().Actor()); err != nil {
		return err
	}
	return redirect(w, v, "/staff/internet/routers?done=removed")
}
