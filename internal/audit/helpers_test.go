package audit_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
)

var update = flag.Bool("update", false, "rewrite testdata/valid.log from the current output")

// testKey is a fixed HMAC key so that golden output is stable.
var testKey = bytes.Repeat([]byte{0x42}, audit.KeySize)

// stepClock returns a clock that starts at a fixed time and moves one
// second per call.
func stepClock() func() time.Time {
	t := time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

const actor = "arn:aws:sts::111111111111:assumed-role/RootguardApply/alice"

// plan is a representative apply: an SCP attachment, alternate contacts,
// deletion of a member's root access key through AssumeRoot (which fails
// once), and an intent left without a result.
func plan() []audit.Entry {
	e := func(change, account, op string, phase audit.Phase, params map[string]string) audit.Entry {
		return audit.Entry{Actor: actor, PlanID: "plan-7f3a", ChangeID: change, AccountID: account, Operation: op, Phase: phase, Params: params}
	}
	res := func(en audit.Entry, outcome audit.Outcome, code string) audit.Entry {
		en.Phase, en.Outcome, en.ErrorCode = audit.PhaseResult, outcome, code
		return en
	}
	scp := e("c1", "111111111111", "organizations:AttachPolicy", audit.PhaseIntent, map[string]string{"policy_id": "p-rootdeny1", "target_id": "ou-ab12-cd34ef56"})
	contact := e("c2", "222222222222", "account:PutAlternateContact", audit.PhaseIntent, map[string]string{
		"alternate_contact_type": "SECURITY", "email_address": "secops@example.com", "phone_number": "+1 206-555-0100", "name": "Sec Ops Team", "title": "Security <team> & \"ops\"",
	})
	assume := e("c3", "333333333333", "sts:AssumeRoot", audit.PhaseIntent, map[string]string{"task_policy_arn": "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials", "target_principal": "333333333333"})
	del := e("c3", "333333333333", "iam:DeleteAccessKey", audit.PhaseIntent, map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE"})
	dangling := e("c4", "444444444444", "iam:DeleteLoginProfile", audit.PhaseIntent, nil)
	return []audit.Entry{
		scp, res(scp, audit.OutcomeOK, ""),
		contact, res(contact, audit.OutcomeOK, ""),
		assume, res(assume, audit.OutcomeOK, ""),
		del, res(del, audit.OutcomeError, "AccessDenied"),
		dangling,
	}
}

// sensitiveValues are the plaintexts in plan() that must never be written.
var sensitiveValues = []string{"secops@example.com", "+1 206-555-0100", "Sec Ops Team", "AKIAIOSFODNN7EXAMPLE"}

// openLog opens a log in dir with the fixed key and a step clock.
func openLog(t testing.TB, path string) *audit.Log {
	t.Helper()
	l, err := audit.Open(path, audit.Options{Key: testKey, Now: stepClock()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// writePlan writes plan() to a new log and returns its path and bytes.
func writePlan(t testing.TB) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openLog(t, path)
	for _, e := range plan() {
		if err := l.Append(context.Background(), e); err != nil {
			t.Fatalf("Append %s %s: %v", e.Operation, e.Phase, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// lines splits b after each newline; the last element has no newline
// only if b does not end with one.
func lines(b []byte) []string {
	ls := strings.SplitAfter(string(b), "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// rehash recomputes a line's hash the way the package documents it: for
// version 2, HMAC-SHA256 under the chain key HMAC-SHA256(key, "rootguard
// audit chain v2") over the canonical JSON of the record without "hash";
// for version 1, SHA-256 over the same. It is written independently of
// the package, so it also pins the format.
func rehash(t testing.TB, line string, key []byte, edit func(map[string]any)) string {
	t.Helper()
	var rec audit.Record
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	b, _ := json.Marshal(rec)
	json.Unmarshal(b, &m)
	if edit != nil {
		edit(m)
		b, _ = json.Marshal(m)
		rec = audit.Record{}
		json.Unmarshal(b, &rec)
	}
	rec.Hash = ""
	enc := func(r audit.Record) string {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		e.Encode(r)
		return buf.String()
	}
	body := []byte(strings.TrimSuffix(enc(rec), "\n"))
	if rec.V == 1 {
		sum := sha256.Sum256(body)
		rec.Hash = hex.EncodeToString(sum[:])
	} else {
		ck := hmac.New(sha256.New, key)
		ck.Write([]byte("rootguard audit chain v2"))
		h := hmac.New(sha256.New, ck.Sum(nil))
		h.Write(body)
		rec.Hash = hex.EncodeToString(h.Sum(nil))
	}
	return enc(rec)
}

// rechain renumbers and re-links lines from the first, rehashing each
// under key, as someone holding the key could after removing an entry.
func rechain(t testing.TB, ls []string, key []byte) []string {
	t.Helper()
	out := make([]string, len(ls))
	prev := audit.Genesis
	for i, l := range ls {
		out[i] = rehash(t, l, key, func(m map[string]any) { m["seq"] = i + 1; m["prev"] = prev })
		var r audit.Record
		json.Unmarshal([]byte(out[i]), &r)
		prev = r.Hash
	}
	return out
}
