// Package archtest holds tests that enforce rootguard's architecture: every
// package is documented; per package, the dependencies it may not reach,
// directly or through other packages, each with its reason (domain packages
// reach no AWS SDK, only the CLI reaches the simulator, nothing but main
// reaches the CLI, read-only packages never reach the AWS executor); and
// read-only packages call no AWS write operation.
package archtest
