package customer

import (
	"fmt"
	"strings"
)

// KeyParams are a meter's key parameters to set; a nil field keeps the
// value it has (for a swap, the old meter's).
type KeyParams struct {
	SGC       *string
	TI        *int
	KRN       *int
	KT        *int
	KEN       *int
	BaseDate  *int
	Algorithm *string
	DKGA      *string
}

// DefaultKeys are the key parameters of a meter registered without them,
// the usual ones of a meter in service: tariff index 1, key revision 1, a
// unique key (type 2), no key expiry, base date 2014, EA07 and DKGA02. The
// supply group code has no default: it is the utility's own.
var DefaultKeys = Meter{TI: 1, KRN: 1, KT: 2, KEN: 255, BaseDate: 2014, Algorithm: "EA07", DKGA: "02"}

// apply returns m with the parameters k sets.
func (k KeyParams) apply(m Meter) Meter {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	if k.SGC != nil {
		m.SGC = strings.TrimSpace(*k.SGC)
	}
	set(&m.TI, k.TI)
	set(&m.KRN, k.KRN)
	set(&m.KT, k.KT)
	set(&m.KEN, k.KEN)
	set(&m.BaseDate, k.BaseDate)
	if k.Algorithm != nil {
		m.Algorithm = strings.ToUpper(strings.TrimSpace(*k.Algorithm))
	}
	if k.DKGA != nil {
		m.DKGA = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(*k.DKGA)), "DKGA")
	}
	return m
}

// keysText shows a meter's key parameters for the audit log.
func keysText(m Meter) string {
	return fmt.Sprintf("sgc %s ti %d krn %d kt %d ken %d base date %d %s DKGA%s", m.SGC, m.TI, m.KRN, m.KT, m.KEN, m.BaseDate, m.Algorithm, m.DKGA)
}
