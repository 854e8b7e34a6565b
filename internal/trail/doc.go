// Package trail finds root activity in CloudTrail archives: local files and
// folder trees (the S3 layout included), s3:// prefixes and stdin, in the
// formats CloudTrail and EventBridge write ({"Records":[...]} files, plain
// or gzip, JSON Lines of records, EventBridge envelopes), recognised from
// the content.
//
// Scan reads inputs with a pool of workers, one file each. A worker
// decompresses into a fixed chunk buffer and carries an incomplete record
// over to the next chunk, so memory does not grow with the input. Records
// are not parsed on the hot path: the splitter looks for detect's literal
// needles with vectorised byte search, counts records by their
// {"eventVersion": anchor, and only bracket-matches and decodes the records
// that contain a needle. Input that does not have CloudTrail's compact
// shape falls back to an exact, string-aware bracket matcher. The decoded
// records go to a detect.Driver (time window, engine, de-duplication and
// the burst and join alerts at the end): Scan only feeds it.
//
// Built with -tags libdeflate (cgo, libdeflate-dev), a worker instead
// inflates a whole gzip file at once into a buffer it reuses and splits it
// in place; files above WholeMaxCompressed or WholeMaxInflated, and any
// file libdeflate refuses, are streamed as above, so both builds give the
// same results. Inflaters lists what the build has.
//
// Decompress is the scan without detection, the baseline of trail bench
// (internal/trailbench; the synthetic archives come from internal/trailgen).
package trail
