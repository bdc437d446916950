//go:build unix

package wrapper

import (
	"syscall"
	"time"
)

// ProcessCPUForTest returns the CPU time (user and system, all threads) this process has used
// so far. Benchmarks report it per operation next to wall time: on a machine shared with other
// work, wall time counts the waits for a core, CPU time does not.
func ProcessCPUForTest() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
