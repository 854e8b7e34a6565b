// Package collect is the read-only AWS collector that fills an
// inventory.Snapshot: the caller, the organization and, per account, its
// root credentials, contacts, detective controls and mail domains, each fact
// with the API it came from and the error if the call failed. It is the
// adapter between aws-sdk-go-v2 and the snapshot model, and it only reads.
package collect
