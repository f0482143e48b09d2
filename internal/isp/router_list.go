package isp

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"time"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/store"
)

// Router is a listed router as staff see it: never its secret.
type Router struct {
	radius.NAS
	Online int // sessions open on it
	// LastHeard is the newest accounting packet of its open sessions; zero
	// with none open. (Closed sessions are not read: with no index on
	// them by router, that would read the whole history.)
	LastHeard time.Time
	CreatedAt time.Time
}

// RouterList lists the routers with their open sessions, by name.
func (s *Service) RouterList(ctx context.Context) ([]Router, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT n.id, n.name, n.addr, n.coa_port, n.created_at,
			(SELECT count(*) FROM isp_sessions x WHERE x.nas_id = n.id AND x.stopped_at IS NULL),
			(SELECT max(x.last_at) FROM isp_sessions x WHERE x.nas_id = n.id AND x.stopped_at IS NULL)
		FROM isp_nas n ORDER BY n.name, n.id`)
	if err != nil {
		return nil, fmt.Errorf("routers: %w", err)
	}
	defer rows.Close()
	var out []Router
	for rows.Next() {
		var r Router
		var addr string
		var created int64
		var last sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Name, &addr, &r.CoAPort, &created, &r.Online, &last); err != nil {
			return nil, fmt.Errorf("routers: %w", err)
		}
		if r.Addr, err = netip.ParseAddr(addr); err != nil {
			return nil, fmt.Errorf("router %s: address %q: %w", r.ID, addr, err)
		}
		r.CreatedAt, r.LastHeard = store.Time(created), store.NullTime(last)
		out = append(out, r)
	}
	return out, rows.Err()
}
