// Package inventory holds the snapshot model: every fact rootguard collected
// about an account or an organization, with the API it came from, when, and
// the error if the call failed. Checks read only a Snapshot; collection is the
// only place that talks to AWS, and it only reads.
package inventory
