package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/audit"
)

func TestGolden(t *testing.T) {
	_, got := writePlan(t)
	golden := filepath.Join("testdata", "keyed.log")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(lines(want), lines(got)); diff != "" {
		t.Errorf("log differs from %s (-want +got):\n%s", golden, diff)
	}
}

// TestHashIsDocumented recomputes every hash of the golden log
// independently of the package.
func TestHashIsDocumented(t *testing.T) {
	_, b := writePlan(t)
	for i, l := range lines(b) {
		if got := rehash(t, l, testKey, nil); got != l {
			t.Errorf("line %d: recomputed\n%s\nstored\n%s", i+1, got, l)
		}
	}
}

// TestUnkeyedLogStillVerifies: a log written before the chain was keyed
// (version 1, no head file) still verifies, is continued with keyed
// entries, and the result verifies; an unkeyed entry after keyed ones
// does not.
func TestUnkeyedLogStillVerifies(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "valid.log"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := audit.Verify(path, audit.Options{}); err != nil || !res.OK() || res.Entries != 9 {
		t.Fatalf("Verify(version 1 log) = %+v, %v; want 9 intact entries", res, err)
	}
	l := openLog(t, path)
	for _, e := range plan()[:2] {
		if err := l.Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	res, err := audit.Verify(path, audit.Options{Key: testKey})
	if err != nil || !res.OK() || res.Entries != 11 {
		t.Fatalf("Verify(continued log) = %+v, %v; want 11 intact entries", res, err)
	}
	b, _ := os.ReadFile(path)
	ls := lines(b)
	ls = append(ls, rehash(t, lines(old)[0], nil, func(m map[string]any) { m["seq"] = 12; m["prev"] = res.Head }))
	os.WriteFile(path, []byte(strings.Join(ls, "")), 0o600)
	res, err = audit.Verify(path, audit.Options{Key: testKey})
	if err != nil || res.Broken == nil || res.Broken.Line != 12 || res.Broken.Kind != audit.KindEdited {
		t.Errorf("Verify(unkeyed after keyed) = %+v, %v; want line 12 edited", res, err)
	}
}

func TestAppendThenVerify(t *testing.T) {
	path, _ := writePlan(t)
	res, err := audit.Verify(path, audit.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	l := openLog(t, path)
	seq, head := l.Head()
	l.Close()
	want := audit.Result{Entries: 9, Head: head, Last: res.Last, Pending: []int{9}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Verify (-want +got):\n%s", diff)
	}
	if seq != 9 {
		t.Errorf("Head seq = %d, want 9", seq)
	}
	if res.Last.IsZero() {
		t.Error("Last is zero")
	}
}

func TestReopenContinuesChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "rootguard", "audit.log")
	entries := plan()
	for round := range 3 {
		l := openLog(t, path)
		for _, e := range entries[round*3 : round*3+3] {
			if err := l.Append(t.Context(), e); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if seq, _ := l.Head(); seq != uint64(round*3+3) {
			t.Errorf("round %d: seq %d", round, seq)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	res, err := audit.Verify(path, audit.Options{Key: testKey})
	if err != nil || !res.OK() || res.Entries != 9 {
		t.Fatalf("Verify = %+v, %v; want 9 intact entries", res, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("log: %v, %v; want mode 0600", st, err)
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", st.Mode().Perm())
	}
}

// TestTampering edits a valid log in the ways an attacker or an accident
// would, and checks that Verify names the right line and kind, and that
// Open refuses to append.
func TestTampering(t *testing.T) {
	_, valid := writePlan(t)
	ls := lines(valid) // 9 lines, each with its newline
	join := func(parts ...string) []byte { return []byte(strings.Join(parts, "")) }
	without := func(i int) []byte { // 0-based
		return join(append(append([]string{}, ls[:i]...), ls[i+1:]...)...)
	}
	swap := func(i, j int) []byte {
		c := append([]string{}, ls...)
		c[i], c[j] = c[j], c[i]
		return join(c...)
	}
	replace := func(i int, s string) []byte {
		c := append([]string{}, ls...)
		c[i] = s
		return join(c...)
	}
	tests := []struct {
		name string
		data []byte
		want audit.Break // Detail not compared
	}{
		{"edit account id", replace(2, strings.Replace(ls[2], "222222222222", "999999999999", 1)), audit.Break{Line: 3, Kind: audit.KindEdited}},
		{"edit outcome", replace(7, strings.Replace(ls[7], `"outcome":"error"`, `"outcome":"ok"`, 1)), audit.Break{Line: 8, Kind: audit.KindEdited}},
		{"edit last line", replace(8, strings.Replace(ls[8], "444444444444", "555555555555", 1)), audit.Break{Line: 9, Kind: audit.KindEdited}},
		{"edit and rehash", replace(3, rehash(t, ls[3], testKey, func(m map[string]any) { m["outcome"] = "error"; m["error_code"] = "Throttling" })), audit.Break{Line: 5, Kind: audit.KindChain}},
		{"edit and re-chain without the key", join(rechain(t, append(append(append([]string{}, ls[:3]...), strings.Replace(ls[3], `"outcome":"ok"`, `"outcome":"error","error_code":"Throttling"`, 1)), ls[4:]...), bytes.Repeat([]byte{1}, audit.KeySize))...), audit.Break{Line: 1, Kind: audit.KindEdited}},
		{"space added", replace(4, strings.Replace(ls[4], `","`, `", "`, 1)), audit.Break{Line: 5, Kind: audit.KindEdited}},
		{"unknown field", replace(4, strings.Replace(ls[4], `{"v":2,`, `{"v":2,"note":"x",`, 1)), audit.Break{Line: 5, Kind: audit.KindMalformed}},
		{"delete first line", without(0), audit.Break{Line: 1, Kind: audit.KindRemoved}},
		{"delete middle line", without(4), audit.Break{Line: 5, Kind: audit.KindRemoved}},
		{"delete second to last line", without(7), audit.Break{Line: 8, Kind: audit.KindRemoved}},
		{"swap two lines", swap(3, 4), audit.Break{Line: 4, Kind: audit.KindReordered}},
		{"swap last two lines", swap(7, 8), audit.Break{Line: 8, Kind: audit.KindReordered}},
		{"duplicate a line", join(append(append([]string{}, ls[:6]...), ls[5:]...)...), audit.Break{Line: 7, Kind: audit.KindReordered}},
		{"truncate mid line", valid[:len(valid)-40], audit.Break{Line: 9, Kind: audit.KindTruncated}},
		{"truncate newline", valid[:len(valid)-1], audit.Break{Line: 9, Kind: audit.KindTruncated}},
		{"append garbage line", join(append(append([]string{}, ls...), "garbage\n")...), audit.Break{Line: 10, Kind: audit.KindMalformed}},
		{"append garbage", join(append(append([]string{}, ls...), `{"v":2,"seq":10`)...), audit.Break{Line: 10, Kind: audit.KindTruncated}},
		{"append empty line", join(append(append([]string{}, ls...), "\n")...), audit.Break{Line: 10, Kind: audit.KindMalformed}},
		{"insert blank line", join(append(append(append([]string{}, ls[:2]...), "\n"), ls[2:]...)...), audit.Break{Line: 3, Kind: audit.KindMalformed}},
		{"binary", []byte("\x00\xff\xfe\n"), audit.Break{Line: 1, Kind: audit.KindMalformed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.log")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := audit.Verify(path, audit.Options{Key: testKey})
			if err != nil {
				t.Fatal(err)
			}
			if res.Broken == nil {
				t.Fatalf("Verify found nothing wrong: %+v", res)
			}
			got := *res.Broken
			got.Detail = ""
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify (-want +got):\n%s\nbreak: %s", diff, res.Broken)
			}
			if res.Entries != tt.want.Line-1 {
				t.Errorf("Entries = %d, want %d", res.Entries, tt.want.Line-1)
			}
			if strings.Contains(res.Broken.String(), "\n") {
				t.Errorf("break is not one line: %q", res.Broken)
			}

			_, err = audit.Open(path, audit.Options{Key: testKey})
			if !errors.Is(err, audit.ErrBroken) {
				t.Errorf("Open = %v, want ErrBroken", err)
			} else if want := fmt.Sprintf("line %d: %s", tt.want.Line, tt.want.Kind); !strings.Contains(err.Error(), want) {
				t.Errorf("Open error %q does not say %q", err, want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, tt.data) {
				t.Error("a refused Open changed the file")
			}
		})
	}
}

// TestHeadAnchor: what a chain cannot see by itself, whole entries cut
// from the end, the last entry rewritten, or the log re-chained by someone
// holding the key after an entry was deleted, no longer leads to the head
// anchored in the head file, and Verify and Open say so. A head file one
// entry behind (a crash between append and anchoring) is accepted and
// brought up to date by Open.
func TestHeadAnchor(t *testing.T) {
	_, valid := writePlan(t)
	ls := lines(valid)
	tests := []struct {
		name string
		data []string
		head int // the head file says this seq instead of the writer's; -1: no head file
		want *audit.Break
	}{
		{"intact", ls, 0, nil},
		{"cut two entries", ls[:7], 0, &audit.Break{Line: 8, Kind: audit.KindCut}},
		{"rewrite the last entry", append(slices.Clone(ls[:8]), rehash(t, ls[8], testKey, func(m map[string]any) { m["operation"] = "iam:ListUsers" })), 0, &audit.Break{Line: 9, Kind: audit.KindAnchor}},
		{"delete an entry and re-chain with the key", rechain(t, slices.Delete(slices.Clone(ls), 6, 7), testKey), 0, &audit.Break{Line: 9, Kind: audit.KindCut}},
		{"delete an entry, re-chain and append one", rechain(t, append(slices.Delete(slices.Clone(ls), 6, 7), ls[8]), testKey), 0, &audit.Break{Line: 9, Kind: audit.KindAnchor}},
		{"head file missing", ls, -1, &audit.Break{Line: 10, Kind: audit.KindAnchor}},
		{"head file one behind", ls, 8, nil},
		{"head file two behind", ls, 7, &audit.Break{Line: 9, Kind: audit.KindAnchor}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "audit.log")
			l := openLog(t, path)
			for _, e := range plan() {
				if err := l.Append(t.Context(), e); err != nil {
					t.Fatal(err)
				}
			}
			l.Close()
			switch {
			case tt.head < 0:
				os.Remove(path + ".head")
			case tt.head > 0:
				var r audit.Record
				json.Unmarshal([]byte(ls[tt.head-1]), &r)
				os.WriteFile(path+".head", fmt.Appendf(nil, `{"seq":%d,"hash":%q}`+"\n", r.Seq, r.Hash), 0o600)
			}
			if err := os.WriteFile(path, []byte(strings.Join(tt.data, "")), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := audit.Verify(path, audit.Options{Key: testKey})
			if err != nil {
				t.Fatal(err)
			}
			var got *audit.Break
			if res.Broken != nil {
				b := *res.Broken
				b.Detail = ""
				got = &b
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Verify break (-want +got):\n%s\n%+v", diff, res.Broken)
			}
			l, err = audit.Open(path, audit.Options{Key: testKey})
			if (err == nil) != (tt.want == nil) || (err != nil && !errors.Is(err, audit.ErrBroken)) {
				t.Fatalf("Open = %v", err)
			}
			if err != nil {
				return
			}
			seq, hash := l.Head()
			l.Close()
			if b, _ := os.ReadFile(path + ".head"); !strings.Contains(string(b), hash) || seq != uint64(len(tt.data)) {
				t.Errorf("head file %s after Open, want seq %d hash %s", b, seq, hash)
			}
		})
	}
}

func TestVerifyEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, nil, 0o600)
	res, err := audit.Verify(empty, audit.Options{Key: testKey})
	if err != nil || !res.OK() || res.Entries != 0 || res.Head != audit.Genesis {
		t.Errorf("Verify(empty) = %+v, %v", res, err)
	}
	if _, err := audit.Verify(filepath.Join(dir, "missing.log"), audit.Options{Key: testKey}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Verify(missing) = %v, want ErrNotExist", err)
	}
}

func TestNoSecretsInFile(t *testing.T) {
	path, raw := writePlan(t)
	for _, v := range sensitiveValues {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("the log contains the plaintext %q", v)
		}
	}
	// The values are there, as HMACs an investigator can look up.
	l := openLog(t, path)
	defer l.Close()
	for _, v := range sensitiveValues {
		if h := l.HMAC(v); !bytes.Contains(raw, []byte(`"`+h+`"`)) {
			t.Errorf("HMAC of %q (%s) not in the log", v, h)
		}
	}
	// Plain parameters stay readable.
	for _, v := range []string{"p-rootdeny1", "SECURITY", "Security <team> & \\\"ops\\\""} {
		if !bytes.Contains(raw, []byte(v)) {
			t.Errorf("plain value %q missing", v)
		}
	}
}

func TestClassification(t *testing.T) {
	tests := []struct {
		name, param, value string
		sensitive          bool // given in Entry.Sensitive
		wantHMAC           bool
	}{
		{"policy id", "policy_id", "p-12345678", false, false},
		{"email by name", "EmailAddress", "not-an-email", false, true},
		{"email by value", "recipient", "alice@example.com", false, true},
		{"phone by name", "phone_number", "2065550100", false, true},
		{"phone by value", "contact", "+44 20 7946 0958", false, true},
		{"access key id by name", "AccessKeyId", "whatever", false, true},
		{"access key id by value", "key", "ASIAIOSFODNN7EXAMPLE", false, true},
		{"mfa serial", "SerialNumber", "arn:aws:iam::111111111111:mfa/root", false, true},
		{"contact name", "Name", "Alice Example", false, true},
		{"policy name", "policy_name", "RootDeny", false, false},
		{"account id is not a phone", "target", "111111111111", false, false},
		{"caller says sensitive", "anything", "plain", true, true},
		{"hex digest is not a secret key", "digest", "da39a3ee5e6b4b0d3255bfef95601890afd80709", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l := openLog(t, path)
			e := plan()[0]
			e.Params = nil
			if tt.sensitive {
				e.Sensitive = map[string]string{tt.param: tt.value}
			} else {
				e.Params = map[string]string{tt.param: tt.value}
			}
			if err := l.Append(t.Context(), e); err != nil {
				t.Fatal(err)
			}
			l.Close()
			raw, _ := os.ReadFile(path)
			gotHMAC := bytes.Contains(raw, []byte(`"hmac":{"`+tt.param+`":"`+l.HMAC(tt.value)+`"}`))
			gotPlain := bytes.Contains(raw, []byte(`"params":{"`+tt.param+`":"`+tt.value+`"}`))
			if gotHMAC != tt.wantHMAC || gotPlain == tt.wantHMAC {
				t.Errorf("stored as HMAC %v, plain %v; want HMAC %v\n%s", gotHMAC, gotPlain, tt.wantHMAC, raw)
			}
		})
	}
}

func TestSecretsRefused(t *testing.T) {
	tests := []struct {
		name      string
		params    map[string]string
		sensitive map[string]string
	}{
		{"secret access key by name", map[string]string{"SecretAccessKey": "x"}, nil},
		{"password", map[string]string{"password": "hunter2"}, nil},
		{"new password", map[string]string{"new-password": "x"}, nil},
		{"session token", map[string]string{"SessionToken": "x"}, nil},
		{"client token", map[string]string{"client_request_token": "x"}, nil},
		{"private key", map[string]string{"private_key": "x"}, nil},
		{"mfa seed", map[string]string{"Base32StringSeed": "x"}, nil},
		{"mfa code", map[string]string{"AuthenticationCode1": "123456"}, nil},
		{"secret even when marked sensitive", nil, map[string]string{"password": "x"}},
		{"secret access key by value", map[string]string{"value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, nil},
		{"secret access key inside a value", map[string]string{"cmd": "aws configure set x wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, nil},
		{"pem private key", map[string]string{"body": "-----BEGIN RSA PRIVATE KEY-----\\nMII"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l := openLog(t, path)
			defer l.Close()
			e := plan()[0]
			e.Params, e.Sensitive = tt.params, tt.sensitive
			err := l.Append(t.Context(), e)
			if !errors.Is(err, audit.ErrSecret) {
				t.Fatalf("Append = %v, want ErrSecret", err)
			}
			if raw, _ := os.ReadFile(path); len(raw) != 0 {
				t.Errorf("refused entry was written: %s", raw)
			}
			// The log is still usable for a correct entry.
			if err := l.Append(t.Context(), plan()[0]); err != nil {
				t.Errorf("Append after a refused entry: %v", err)
			}
		})
	}
}

// TestOwnRecordEntry: a change to rootguard's own records (the custody
// registry) may name the local user and no account.
func TestOwnRecordEntry(t *testing.T) {
	l := openLog(t, filepath.Join(t.TempDir(), "audit.log"))
	defer l.Close()
	e := audit.Entry{Actor: "local:alice@laptop", PlanID: "custody", ChangeID: "people", Operation: "rootguard:PutCustodyPeople", Phase: audit.PhaseIntent}
	if err := l.Append(t.Context(), e); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

// TestDashboardActor: a person signed in to the dashboard through an OIDC
// provider decides break-glass requests under that identity.
func TestDashboardActor(t *testing.T) {
	l := openLog(t, filepath.Join(t.TempDir(), "audit.log"))
	defer l.Close()
	e := audit.Entry{Actor: "oidc:https://idp.example.com/realms/acme#248289761001", PlanID: "bg-abc123", ChangeID: "approve",
		AccountID: "111111111111", Operation: "breakglass:Approve", Phase: audit.PhaseIntent}
	if err := l.Append(t.Context(), e); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func TestEntryValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*audit.Entry)
	}{
		{"actor not an ARN", func(e *audit.Entry) { e.Actor = "alice" }},
		{"local actor changing AWS", func(e *audit.Entry) { e.Actor = "local:alice@host" }},
		{"no account changing AWS", func(e *audit.Entry) { e.AccountID = "" }},
		{"local actor without host", func(e *audit.Entry) { e.Actor, e.Operation = "local:alice", "rootguard:PutCustody" }},
		{"actor with newline", func(e *audit.Entry) { e.Actor += "\nx" }},
		{"OIDC actor without subject", func(e *audit.Entry) { e.Actor = "oidc:https://idp.example.com#" }},
		{"OIDC actor with a space", func(e *audit.Entry) { e.Actor = "oidc:https://idp.example.com#al ice" }},
		{"no plan", func(e *audit.Entry) { e.PlanID = "" }},
		{"no change", func(e *audit.Entry) { e.ChangeID = "" }},
		{"short account", func(e *audit.Entry) { e.AccountID = "1234" }},
		{"operation without service", func(e *audit.Entry) { e.Operation = "DeleteAccessKey" }},
		{"unknown phase", func(e *audit.Entry) { e.Phase = "before" }},
		{"intent with outcome", func(e *audit.Entry) { e.Outcome = audit.OutcomeOK }},
		{"result without outcome", func(e *audit.Entry) { e.Phase = audit.PhaseResult }},
		{"ok with error code", func(e *audit.Entry) {
			e.Phase, e.Outcome, e.ErrorCode = audit.PhaseResult, audit.OutcomeOK, "AccessDenied"
		}},
		{"error without code", func(e *audit.Entry) { e.Phase, e.Outcome = audit.PhaseResult, audit.OutcomeError }},
		{"error message as code", func(e *audit.Entry) {
			e.Phase, e.Outcome, e.ErrorCode = audit.PhaseResult, audit.OutcomeError, "User: arn:aws:iam::1:user/x is not authorized"
		}},
		{"bad parameter name", func(e *audit.Entry) { e.Params = map[string]string{"a b": "x"} }},
		{"invalid utf-8 value", func(e *audit.Entry) { e.Params = map[string]string{"x": "\xff"} }},
		{"control character in value", func(e *audit.Entry) { e.Params = map[string]string{"x": "a\x1bb"} }},
		{"huge value", func(e *audit.Entry) { e.Params = map[string]string{"x": strings.Repeat("a", 5000)} }},
		{"name in both maps", func(e *audit.Entry) {
			e.Params, e.Sensitive = map[string]string{"x": "1"}, map[string]string{"x": "2"}
		}},
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	l := openLog(t, path)
	defer l.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := plan()[0]
			tt.edit(&e)
			if err := l.Append(t.Context(), e); err == nil {
				t.Error("Append accepted the entry")
			} else if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if raw, _ := os.ReadFile(path); len(raw) != 0 {
		t.Errorf("refused entries were written: %s", raw)
	}
}

func TestLockRefusesSecondOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	first := openLog(t, path)
	if _, err := audit.Open(path, audit.Options{Key: testKey}); !errors.Is(err, audit.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if err := first.Append(t.Context(), plan()[0]); err != nil {
		t.Fatalf("Append by the holder: %v", err)
	}
	first.Close()
	second := openLog(t, path)
	defer second.Close()
	if seq, _ := second.Head(); seq != 1 {
		t.Errorf("after reopening seq = %d, want 1", seq)
	}
}

func TestFailClosed(t *testing.T) {
	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "f"), nil, 0o600)
		if _, err := audit.Open(filepath.Join(dir, "f", "audit.log"), audit.Options{Key: testKey}); err == nil {
			t.Error("Open succeeded")
		}
	})
	t.Run("read-only directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "ro")
		os.Mkdir(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
			f.Close()
			t.Skip("this user can write to a 0500 directory (root); see the internal write-error tests")
		}
		if _, err := audit.Open(filepath.Join(dir, "audit.log"), audit.Options{Key: testKey}); !errors.Is(err, os.ErrPermission) {
			t.Errorf("Open = %v, want ErrPermission", err)
		}
	})
	t.Run("append after close", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.log")
		l := openLog(t, path)
		l.Close()
		if err := l.Append(t.Context(), plan()[0]); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("Append = %v, want ErrClosed", err)
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.log")
		l := openLog(t, path)
		defer l.Close()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := l.Append(ctx, plan()[0]); !errors.Is(err, context.Canceled) {
			t.Errorf("Append = %v, want Canceled", err)
		}
		if raw, _ := os.ReadFile(path); len(raw) != 0 {
			t.Errorf("written: %s", raw)
		}
	})
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	l, err := audit.Open(path, audit.Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	h := l.HMAC("alice@example.com")
	l.Append(t.Context(), plan()[0])
	l.Close()
	st, err := os.Stat(path + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	l, err = audit.Open(path, audit.Options{Now: stepClock()})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if got := l.HMAC("alice@example.com"); got != h {
		t.Errorf("HMAC changed across opens: %s then %s", h, got)
	}
	l.Close()

	tests := []struct {
		name  string
		setup func(t *testing.T)
		opts  audit.Options
		want  string
	}{
		{"wrong key given", nil, audit.Options{Key: testKey}, "not under the given key"},
		{"short key given", nil, audit.Options{Key: []byte("short")}, "want at least 32"},
		{"key readable by others", func(t *testing.T) { os.Chmod(path+".key", 0o644) }, audit.Options{}, "lets others read it"},
		{"key missing", func(t *testing.T) { os.Rename(path+".key", path+".key.bak") }, audit.Options{}, "missing but the log has entries"},
		{"key not hex", func(t *testing.T) { os.WriteFile(path+".key", []byte("zz\n"), 0o600) }, audit.Options{}, "want at least 32 bytes in hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			_, err := audit.Open(path, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open = %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

type apiError struct{ code string }

func (e apiError) Error() string     { return "api error " + e.code }
func (e apiError) ErrorCode() string { return e.code }

func TestDo(t *testing.T) {
	tests := []struct {
		name     string
		callErr  error
		wantCode string
	}{
		{"ok", nil, ""},
		{"api error", fmt.Errorf("delete key: %w", apiError{"AccessDenied"}), "AccessDenied"},
		{"other error", errors.New("connection reset"), "ClientError"},
		{"cancelled", context.Canceled, "Canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l := openLog(t, path)
			defer l.Close()
			called := false
			err := l.Do(t.Context(), plan()[6], func(context.Context) error {
				called = true
				// The intent is on disk before the call.
				res, err := audit.Verify(path, audit.Options{Key: testKey})
				if err != nil || res.Entries != 1 || len(res.Pending) != 1 {
					t.Errorf("during the call Verify = %+v, %v; want one pending intent", res, err)
				}
				return tt.callErr
			})
			if !called || !errors.Is(err, tt.callErr) {
				t.Fatalf("Do = %v, called %v", err, called)
			}
			raw, _ := os.ReadFile(path)
			ls := lines(raw)
			if len(ls) != 2 {
				t.Fatalf("%d lines, want 2", len(ls))
			}
			want := `"outcome":"ok"`
			if tt.wantCode != "" {
				want = `"outcome":"error","error_code":"` + tt.wantCode + `"`
			}
			if !strings.Contains(ls[1], want) {
				t.Errorf("result line lacks %s:\n%s", want, ls[1])
			}
		})
	}
	t.Run("intent refused", func(t *testing.T) {
		l := openLog(t, filepath.Join(t.TempDir(), "audit.log"))
		l.Close()
		err := l.Do(t.Context(), plan()[0], func(context.Context) error {
			t.Error("call made without a recorded intent")
			return nil
		})
		if !errors.Is(err, audit.ErrClosed) {
			t.Errorf("Do = %v, want ErrClosed", err)
		}
	})
}

func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(path, audit.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 10 {
				e := plan()[0]
				e.ChangeID = fmt.Sprintf("g%d-%d", g, i)
				if err := l.Append(t.Context(), e); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	l.Close()
	res, err := audit.Verify(path, audit.Options{Key: testKey})
	if err != nil || !res.OK() || res.Entries != 40 {
		t.Errorf("Verify = %+v, %v; want 40 intact entries", res, err)
	}
}
