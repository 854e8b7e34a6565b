//go:build !unix

package trailbench

import "time"

// cpuTime reports CPU time as unavailable: this system has no getrusage.
func cpuTime() (time.Duration, bool) { return 0, false }

// maxRSS is 0 (unknown): this system has no getrusage.
func maxRSS() int64 { return 0 }
