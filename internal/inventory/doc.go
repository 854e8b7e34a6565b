// Package inventory holds the snapshot model: every fact rootguard collected
// about an account or an organization, with the API it came from, when, and
// the error if the call failed, plus the credential report parser and the
// ARN helpers. Checks read only a Snapshot. The model imports no AWS SDK:
// package collect is the only place that fills a Snapshot from AWS, and it
// only reads.
package inventory
