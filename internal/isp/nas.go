package isp

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/mteja/mteja/internal/isp/radius"
	"github.com/mteja/mteja/internal/payment"
	"github.com/mteja/mteja/internal/store"
)

// Routers (NAS) that may talk RADIUS to us, each with its own shared
// secret, sealed at rest. Every packet names its router by address, so
// the table is kept in memory and read again every nasTTL: a router added
// or removed on any node is known everywhere within that time.
const nasTTL = 10 * time.Second

type nasCache struct {
	mu     sync.Mutex
	byAddr map[netip.Addr]radius.NAS
	at     time.Time
}

// AddNAS lists a router: its NAS-Identifier, the address its packets come
// from, its shared secret (at least 16 characters, as RFC 2865 advises)
// and the port it takes CoA on (0: 3799). by names who did it.
func (s *Service) AddNAS(ctx context.Context, name string, addr netip.Addr, secret string, coaPort int, by string) (radius.NAS, error) {
	if coaPort == 0 {
		coaPort = 3799
	}
	switch {
	case name == "" || len(name) > 64:
		return radius.NAS{}, fmt.Errorf("%w: a name (its NAS-Identifier) of 1 to 64 characters", ErrNAS)
	case !addr.IsValid():
		return radius.NAS{}, fmt.Errorf("%w: the address its packets come from", ErrNAS)
	case len(secret) < 16 || len(secret) > 128:
		return radius.NAS{}, fmt.Errorf("%w: a shared secret of 16 to 128 characters", ErrNAS)
	case coaPort < 1 || coaPort > 65535:
		return radius.NAS{}, fmt.Errorf("%w: the CoA port is 1 to 65535", ErrNAS)
	}
	addr = addr.Unmap()
	n := radius.NAS{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Addr: addr, Secret: []byte(secret), CoAPort: coaPort}
	sealed, err := s.seal.Seal(secret, n.ID)
	if err != nil {
		return radius.NAS{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(`INSERT INTO isp_nas (id, name, addr, secret_sealed, coa_port, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			n.ID, name, addr.String(), sealed, coaPort, store.Micros(tx.Now))
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("%w: a router at %s is listed already", ErrNAS, addr)
		}
		if err != nil {
			return fmt.Errorf("add router %s: %w", name, err)
		}
		return payment.Audit(tx, by, "isp.nas.add", n.ID, name+" at "+addr.String())
	})
	if err != nil {
		return radius.NAS{}, err
	}
	s.nas.mu.Lock()
	s.nas.at = time.Time{} // read again at the next packet
	s.nas.mu.Unlock()
	return n, nil
}

// RemoveNAS unlists a router: its packets are dropped from then on.
func (s *Service) RemoveNAS(ctx context.Context, id, by string) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(`DELETE FROM isp_nas WHERE id = $1`, id); err != nil {
			return fmt.Errorf("remove router %s: %w", id, err)
		}
		return payment.Audit(tx, by, "isp.nas.remove", id, "")
	})
	s.nas.mu.Lock()
	s.nas.at = time.Time{}
	s.nas.mu.Unlock()
	return err
}

var _ radius.Pinger = (*Service)(nil)

// Ping reports whether billing can decide now, for the RADIUS server's
// answer to a Status-Server (radius.Pinger): the database must answer.
func (s *Service) Ping(ctx context.Context) error {
	var one int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("isp: database: %w", err)
	}
	return nil
}

// NASByAddr returns the router packets from addr come from.
func (s *Service) NASByAddr(ctx context.Context, addr netip.Addr) (radius.NAS, bool, error) {
	s.nas.mu.Lock()
	defer s.nas.mu.Unlock()
	if now := time.Now(); now.Sub(s.nas.at) > nasTTL {
		m, err := s.loadNAS(ctx, s.DB.Read(), "")
		if err != nil {
			return radius.NAS{}, false, err
		}
		s.nas.byAddr = map[netip.Addr]radius.NAS{}
		for _, n := range m {
			s.nas.byAddr[n.Addr] = n
		}
		s.nas.at = now
	}
	n, ok := s.nas.byAddr[addr.Unmap()]
	return n, ok, nil
}

// nasByIDs reads the routers with ids, secrets opened.
func (s *Service) nasByIDs(ctx context.Context, q querier, ids []string) (map[string]radius.NAS, error) {
	if len(ids) == 0 {
		return map[string]radius.NAS{}, nil
	}
	var args []any
	return s.loadNAS(ctx, q, `WHERE id IN (`+store.In(&args, ids)+`)`, args...)
}

func (s *Service) loadNAS(ctx context.Context, q querier, where string, args ...any) (map[string]radius.NAS, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, addr, secret_sealed, coa_port FROM isp_nas `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("routers: %w", err)
	}
	defer rows.Close()
	out := map[string]radius.NAS{}
	for rows.Next() {
		var n radius.NAS
		var addr, sealed string
		if err := rows.Scan(&n.ID, &n.Name, &addr, &sealed, &n.CoAPort); err != nil {
			return nil, fmt.Errorf("routers: %w", err)
		}
		if n.Addr, err = netip.ParseAddr(addr); err != nil {
			return nil, fmt.Errorf("router %s: address %q: %w", n.ID, addr, err)
		}
		secret, err := s.seal.Open(sealed, n.ID)
		if err != nil {
			return nil, fmt.Errorf("router %s: %w", n.Name, err)
		}
		n.Secret = []byte(secret)
		out[n.ID] = n
	}
	return out, rows.Err()
}

// Routers lists the routers, without their secrets.
func (s *Service) Routers(ctx context.Context) ([]radius.NAS, error) {
	m, err := s.loadNAS(ctx, s.DB.Read(), "")
	if err != nil {
		return nil, err
	}
	out := make([]radius.NAS, 0, len(m))
	for _, n := range m {
		n.Secret = nil
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b radius.NAS) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
