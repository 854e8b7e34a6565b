// Package trailbench measures trail scan's detection throughput against a
// decompress-only pass over the same files, in the same run
// (docs/trail-benchmark.md). CPU time comes from getrusage where the system
// has it, and is reported as unavailable elsewhere.
package trailbench
