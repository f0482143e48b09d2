package hotspot

import (
	"net/http"
	"strings"

	"github.com/mteja/mteja/internal/isp"
	"github.com/mteja/mteja/internal/login"
	"github.com/mteja/mteja/internal/peer"
)

type connectData struct {
	Username string
	Login    string // the password field the router's form sends
}

// voucher logs in with a voucher: its code is both the username and the
// password, as the router's own login page takes it. The page does not
// look the code up: the router asks our RADIUS server, which redeems it
// and limits the codes a device and a router may try (isp's voucher
// guesses), and this page adds no faster way to learn whether a code is
// real. Only the code's form is checked here, and a flood is held back
// per client address.
func (h *Handler) voucher(w http.ResponseWriter, v *visit) error {
	code := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, v.r.PostFormValue("code"))
	if len(code) != isp.VoucherDigits || strings.Trim(code, "0123456789") != "" {
		return h.showCaptive(w, v, http.StatusBadRequest, captiveData{}, "err.voucher")
	}
	if ok, wait := h.connect.Allow(peer.Key(v.r)); !ok {
		return &login.RateLimitError{What: "voucher", RetryAfter: wait}
	}
	p := h.page(v, "connect.title", connectData{Username: code, Login: v.router.password(code)})
	p.postTo = v.router.origin()
	return h.render(w, http.StatusOK, "connect", p)
}
