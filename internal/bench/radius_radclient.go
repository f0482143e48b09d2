package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// radclientPhase sends requests with Debian's radclient, parallel (-p).
// Access-Requests: a file of distinct ones, repeated (-c) to make up
// total; each repeat gets a new identifier and random authenticator.
// Interim-Updates cannot be repeated: the same update with an identifier
// it had before is the same packet (its authenticator is a hash of its
// contents), which the server rightly answers from the reply cache, so the
// file holds one of each, at most radclientMax (radclient's time grows
// with the square of its file). radclient gives counts, not latencies.
func radclientPhase(ctx context.Context, server, kind string, total, parallel int, secret []byte, users []string) (RadiusPhase, error) {
	if total <= 0 {
		return RadiusPhase{}, nil
	}
	distinct, repeat := min(total, radclientMax), 1
	if kind == "auth" {
		distinct = min(total, 1000)
		repeat = max(1, total/distinct)
	}
	return radclientRun(ctx, server, kind, distinct, repeat, parallel, secret, users)
}

// radclientMax bounds the requests in one radclient file.
const radclientMax = 10_000

func radclientRun(ctx context.Context, server, kind string, distinct, repeat, parallel int, secret []byte, users []string) (RadiusPhase, error) {
	bin, err := exec.LookPath("radclient")
	if err != nil {
		return RadiusPhase{}, fmt.Errorf("radclient not found (Debian freeradius-utils): %w", err)
	}
	var f strings.Builder
	for i := range distinct {
		u := users[i%len(users)]
		if kind == "auth" {
			fmt.Fprintf(&f, "User-Name = %s\nUser-Password = %s\nMessage-Authenticator = 0x00\nNAS-Port-Type = Wireless-802.11\n\n", u, u)
		} else {
			fmt.Fprintf(&f, "Acct-Status-Type = Interim-Update\nUser-Name = %s\nAcct-Session-Id = \"%08x\"\nAcct-Input-Octets = %d\nAcct-Input-Gigawords = 1\nAcct-Session-Time = 300\n\n", u, i, i*1000)
		}
	}
	dir, err := os.MkdirTemp("", "mteja-bench-radclient-")
	if err != nil {
		return RadiusPhase{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, kind+".txt")
	if err := os.WriteFile(file, []byte(f.String()), 0o600); err != nil {
		return RadiusPhase{}, err
	}
	cmd := exec.CommandContext(ctx, bin, "-q", "-s", "-c", strconv.Itoa(repeat), "-p", strconv.Itoa(parallel), "-r", "3", "-t", "1", "-f", file, server, kind, string(secret))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	el := time.Since(start).Seconds()
	total := distinct * repeat
	ph := RadiusPhase{Requests: total, Seconds: el}
	ph.Answered = summary(out.String(), "Accepted")
	ph.Wrong = summary(out.String(), "Rejected")
	// radclient's own "Lost" counts timed-out tries, retried or not.
	ph.Lost = total - ph.Answered - ph.Wrong
	ph.PerSecond = float64(ph.Answered) / el
	if err != nil && ph.Answered == 0 {
		return ph, fmt.Errorf("radclient: %w: %s", err, out.String())
	}
	return ph, nil
}

// summary reads one count of radclient's -s summary ("Accepted      : 9").
func summary(out, name string) int {
	m := regexp.MustCompile(name + `\s*:\s*(\d+)`).FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
