// Package audit is rootguard's append-only, hash-chained audit log: the
// record of every change rootguard makes to AWS.
//
// The rule is "no log, no change". A caller that is about to write to AWS
// first appends an [Entry] with phase [PhaseIntent]; [Log.Append] returns
// only after the line is written and fsynced, and only on a nil error may
// the caller make the call. Afterwards it appends a [PhaseResult] entry with
// the outcome. Any write error is returned, poisons the [Log] (later appends
// fail too) and must stop the change: an unlogged privileged action is worse
// than a refused one.
//
// The file is JSON Lines, one [Record] per line, in a canonical encoding (the
// struct's field order, no HTML escaping, no insignificant space). Each
// record carries a sequence number starting at 1, the time from an injected
// clock, the previous record's hash (64 zeros for the first) and its own
// hash: HMAC-SHA256, under a chain key derived from the log's key, over the
// canonical encoding of the record without its hash (record version 2).
// Without the key nobody can recompute the chain after an edit. Version 1
// records, written before the chain was keyed, carry a plain SHA-256 and
// still verify; none may follow a version 2 record.
// [Verify] walks a file and names the first broken line: edited content,
// a removed entry, reordered entries, a truncated last line or garbage.
// After every append the log's [Head] (last sequence number and hash) is
// written atomically to a head file beside the log, so that entries cut
// from the end, or a log re-chained by someone holding the key, no longer
// lead to it: Verify reports both. The key sits beside the log too, so a
// copy of the head kept elsewhere is the anchor that an attacker with
// write access to the directory cannot rewrite.
//
// Parameters are stored in plaintext only when they are not sensitive.
// Values that identify people or credentials (email addresses, phone
// numbers, access key IDs, MFA serials, contact names) are stored as
// HMAC-SHA256 under a key kept next to the log (created 0600 on first use)
// or given by the caller, so that an investigator holding the key can
// still find every entry about a value. Secrets are never accepted: a
// parameter named like a secret, password or token, or whose value looks
// like a secret access key or a private key, makes Append fail.
//
// [Open] takes an exclusive flock on the file, so two applies cannot
// interleave, and refuses to append to a file whose whole chain, head
// anchor included, does not verify. [Log.Succeeded] tells a rerun which
// calls the log records as made.
package audit
