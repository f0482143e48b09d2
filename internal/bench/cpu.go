package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CPU is the processor time a run took per payment, in microseconds. Its
// figures hold still when the machine's speed does not: the rate of a run
// moves with everything else on the machine, the work per payment does
// not, so a change is judged by both.
type CPU struct {
	// Process is this process: the nodes and the load generator.
	Process float64 `json:"process_us_per_payment"`
	// Machine is every busy core of the machine (Linux; 0 elsewhere):
	// less Process, what the database server and the kernel took.
	Machine float64 `json:"machine_us_per_payment"`
}

type cpuStat struct{ process, machine time.Duration }

func cpuNow() cpuStat {
	var s cpuStat
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.process = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.machine = machineBusy()
	return s
}

// machineBusy is the time all cores spent busy since boot, from the first
// line of /proc/stat (user, nice, system, irq, softirq, steal; idle and
// iowait left out), in clock ticks of 1/100 s.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

func cpuSince(before cpuStat, payments int) *CPU {
	if payments == 0 {
		return nil
	}
	now := cpuNow()
	n := float64(payments)
	c := &CPU{Process: float64((now.process - before.process).Microseconds()) / n}
	if before.machine > 0 && now.machine > 0 {
		c.Machine = float64((now.machine - before.machine).Microseconds()) / n
	}
	return c
}
