package bench

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/mteja/mteja/internal/store"
)

// progress prints a line a second to w: callbacks sent, then vends and
// token SMS side by side, each with its rate over the run so far, and the
// token messages waiting. Both counts are read through indexes bounded by
// the run (vends since start, the queued messages' partial index), so a
// preloaded database costs the line no more than a fresh one. A token SMS
// counts as sent once its message has left the queue; every vend of the
// run queues one (one phone a meter).
func progress(w io.Writer, start time.Time, total int, done *atomic.Int64, db *store.DB) func() {
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprintln(w)
				return
			case <-t.C:
				var vends, queued int
				db.Read().QueryRow(`SELECT
					(SELECT count(*) FROM vends WHERE created_at >= $1),
					(SELECT count(*) FROM messages WHERE state = 'queued' AND lane = 'token')`, store.Micros(start)).Scan(&vends, &queued)
				sms := max(vends-queued, 0)
				el := time.Since(start).Seconds()
				fmt.Fprintf(w, "\r%6.1fs  callbacks %d/%d  vends %d (%.0f/s)  sms %d (%.0f/s)  queued %d   ",
					el, done.Load(), total, vends, float64(vends)/el, sms, float64(sms)/el, queued)
			}
		}
	}()
	return func() { close(stop); <-finished }
}
