// Package archtest holds tests that enforce rootguard's architecture: every
// package is documented, pure packages import no AWS SDK, domain packages never
// import the CLI, and read-only packages call no AWS write operation.
package archtest
