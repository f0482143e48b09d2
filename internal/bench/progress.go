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
// token messages waiting. Vends are counted as the nodes commit them
// (vended); only the queued token messages are read from the database,
// through their partial index, which the run's size does not grow. (A
// count of the run's vends read every second grew with the run: 700,000
// index entries a second by the end of a million-payment run.) A token
// SMS counts as sent once its message has left the queue; every vend of
// the run queues one (one phone a meter).
func progress(w io.Writer, start time.Time, total int, done, vended *atomic.Int64, db *store.DB) func() {
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
				var queued int
				db.Read().QueryRow(`SELECT count(*) FROM messages WHERE state = 'queued' AND lane = 'token'`).Scan(&queued)
				vends := int(vended.Load())
				sms := max(vends-queued, 0)
				el := time.Since(start).Seconds()
				fmt.Fprintf(w, "\r%6.1fs  callbacks %d/%d  vends %d (%.0f/s)  sms %d (%.0f/s)  queued %d   ",
					el, done.Load(), total, vends, float64(vends)/el, sms, float64(sms)/el, queued)
			}
		}
	}()
	return func() { close(stop); <-finished }
}
