package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Version is the record schema version written in every line's "v".
// Version 2 chains records by HMAC under the log's key; version 1
// records, written before, chain by plain SHA-256 and still verify.
const Version = 2

// versionUnkeyed is the first version: "hash" is the SHA-256 of the body.
const versionUnkeyed = 1

// Genesis is the prev hash of the first record in a log.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// maxLine bounds the length of one line, for Append and for Verify.
const maxLine = 64 << 10

// Phase says whether a record was written before or after the AWS call.
type Phase string

// Phases.
const (
	// PhaseIntent is written before the call; the call happens only if
	// Append returned nil.
	PhaseIntent Phase = "intent"
	// PhaseResult is written after the call with its outcome.
	PhaseResult Phase = "result"
)

// Outcome is the result of an AWS call.
type Outcome string

// Outcomes.
const (
	OutcomeOK    Outcome = "ok"
	OutcomeError Outcome = "error"
)

// Record is one line of the log as stored. Params holds plaintext values,
// HMAC the hex HMAC-SHA256 of sensitive values, both keyed by parameter
// name; a name is in one map or the other.
type Record struct {
	V         int               `json:"v"`
	Seq       uint64            `json:"seq"`
	Time      time.Time         `json:"time"`
	Prev      string            `json:"prev"`
	Actor     string            `json:"actor"`
	PlanID    string            `json:"plan_id"`
	ChangeID  string            `json:"change_id"`
	AccountID string            `json:"account_id"`
	Operation string            `json:"operation"`
	Phase     Phase             `json:"phase"`
	Outcome   Outcome           `json:"outcome,omitempty"`
	ErrorCode string            `json:"error_code,omitempty"`
	KeyID     string            `json:"key_id"`
	Params    map[string]string `json:"params,omitempty"`
	HMAC      map[string]string `json:"hmac,omitempty"`
	Hash      string            `json:"hash,omitempty"`
}

// encode returns the canonical encoding of r, without a newline.
func (r *Record) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// hashed returns the canonical encoding of r without its hash, and its
// hash: for version 2 the hex HMAC-SHA256 under the chain key derived
// from key, for version 1 the hex SHA-256.
func (r *Record) hashed(key []byte) (body []byte, hash string, err error) {
	c := *r
	c.Hash = ""
	if body, err = c.encode(); err != nil {
		return nil, "", err
	}
	if r.V == versionUnkeyed {
		sum := sha256.Sum256(body)
		return body, hex.EncodeToString(sum[:]), nil
	}
	return body, mac(chainKey(key), string(body)), nil
}

// chainKey derives the key of the hash chain from the log's key, apart
// from the key of sensitive values, so that no stored parameter HMAC can
// ever serve as a record's hash.
func chainKey(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("rootguard audit chain v2"))
	return m.Sum(nil)
}

// withHash returns the canonical encoding of a record from the encoding
// of its body (without hash): "hash" is the last field.
func withHash(body []byte, hash string) []byte {
	out := make([]byte, 0, len(body)+len(hash)+12)
	out = append(out, body[:len(body)-1]...)
	out = append(out, `,"hash":"`...)
	out = append(out, hash...)
	return append(out, `"}`...)
}

// seal sets r.Hash and returns the line to write, newline included.
func (r *Record) seal(key []byte) ([]byte, error) {
	body, h, err := r.hashed(key)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	r.Hash = h
	b := withHash(body, h)
	if len(b)+1 > maxLine {
		return nil, fmt.Errorf("record is %d bytes, more than the %d a line may hold", len(b)+1, maxLine)
	}
	return append(b, '\n'), nil
}

// parseRecord decodes one line (without its newline) and checks that it is
// a canonical, self-consistent record, keyed by key (version 2). It does
// not check the chain.
func parseRecord(line []byte, key []byte) (Record, *Break) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, &Break{Kind: KindMalformed, Detail: err.Error()}
	}
	if dec.More() {
		return r, &Break{Kind: KindMalformed, Detail: "data after the entry"}
	}
	if r.V != Version && r.V != versionUnkeyed {
		return r, &Break{Kind: KindMalformed, Detail: fmt.Sprintf("schema version %d, want %d or %d", r.V, versionUnkeyed, Version)}
	}
	if !isHexHash(r.Hash) || !isHexHash(r.Prev) {
		return r, &Break{Kind: KindMalformed, Detail: "hash or prev is not 64 hex digits"}
	}
	if r.V == Version {
		if key == nil {
			return r, &Break{Kind: KindMalformed, Detail: "a keyed entry, and no audit key to check it with"}
		}
		if id := keyID(key); r.KeyID != id {
			return r, &Break{Kind: KindEdited, Detail: fmt.Sprintf("written under key %s, not under the given key %s", r.KeyID, id)}
		}
	}
	body, h, err := r.hashed(key)
	if err != nil {
		return r, &Break{Kind: KindMalformed, Detail: err.Error()}
	}
	if !bytes.Equal(withHash(body, r.Hash), line) {
		return r, &Break{Kind: KindEdited, Detail: "not in canonical form"}
	}
	if !hmac.Equal([]byte(h), []byte(r.Hash)) {
		return r, &Break{Kind: KindEdited, Detail: "hash does not match the content (or another key wrote it)"}
	}
	return r, nil
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
