// Package trailgen writes deterministic synthetic CloudTrail archives (the
// S3 layout, .json.gz) with planted root activity and look-alikes that must
// not alert, for tests and for trail bench.
package trailgen
