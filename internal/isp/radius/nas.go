package radius

import (
	"fmt"
	"log/slog"
)

// A NAS prints and logs without its secret, through every fmt verb and
// slog (added to the seam): records that hold it (AcctRecord, Change) are
// logged and printed in tests.

func (n NAS) String() string {
	return fmt.Sprintf("NAS{%s %q %s coa:%d secret:[%d bytes]}", n.ID, n.Name, n.Addr, n.CoAPort, len(n.Secret))
}

func (n NAS) GoString() string { return n.String() }

func (n NAS) Format(f fmt.State, _ rune) { fmt.Fprint(f, n.String()) }

func (n NAS) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", n.ID), slog.String("name", n.Name), slog.String("addr", n.Addr.String()))
}
