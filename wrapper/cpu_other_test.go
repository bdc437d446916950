//go:build !unix

package wrapper

import "time"

// ProcessCPUForTest is not measured on this platform; benchmarks then leave the metric out.
func ProcessCPUForTest() time.Duration { return 0 }
