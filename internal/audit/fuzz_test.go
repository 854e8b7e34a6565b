package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func addLogSeeds(f *testing.F) {
	for _, name := range []string{"valid.log", "keyed.log"} {
		addLogFileSeeds(f, filepath.Join("testdata", name))
	}
}

func addLogFileSeeds(f *testing.F, path string) {
	valid, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	// Small seeds keep minimization quick; together they hold
	// plain and HMAC'ed parameters, intents and results.
	ls := bytes.SplitAfter(valid, []byte("\n"))
	valid = bytes.Join(ls[:2], nil)
	f.Add(valid)
	f.Add(bytes.Join(ls[:1], nil))
	f.Add(bytes.Join([][]byte{ls[0], ls[2], ls[1]}, nil))
	f.Add(valid[:len(valid)-7])
	f.Add(append(bytes.Clone(valid), "garbage\n"...))
	f.Add(bytes.Replace(valid, []byte(`"seq":2`), []byte(`"seq":3`), 1))
	f.Add([]byte(""))
	f.Add([]byte("\n"))
	f.Add([]byte(`{"v":1,"seq":1}` + "\n"))
}

// fuzzKey keys the seeds of testdata/keyed.log (the tests' testKey).
var fuzzKey = bytes.Repeat([]byte{0x42}, KeySize)

// FuzzVerify: Verify never panics on arbitrary content, and a file it
// calls intact re-encodes to the same bytes record by record.
func FuzzVerify(f *testing.F) {
	addLogSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := VerifyReader(bytes.NewReader(data), fuzzKey)
		if err != nil {
			t.Fatalf("VerifyReader: %v", err)
		}
		if !res.OK() {
			if res.Broken.Line < 1 || res.Entries != res.Broken.Line-1 {
				t.Fatalf("break %s after %d entries", res.Broken, res.Entries)
			}
			return
		}
		if res.Entries == 0 {
			if len(data) != 0 {
				t.Fatalf("no entries in %d bytes", len(data))
			}
			return
		}
		var again []byte
		for _, line := range bytes.SplitAfter(data[:len(data)-1], []byte("\n")) {
			rec, bad := parseRecord(bytes.TrimSuffix(line, []byte("\n")), fuzzKey)
			if bad != nil {
				t.Fatalf("parseRecord of a verified line: %s", bad)
			}
			b, err := rec.seal(fuzzKey)
			if err != nil {
				t.Fatal(err)
			}
			again = append(again, b...)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("round trip changed the file:\n%q\n%q", data, again)
		}
	})
}

// FuzzAppend: whatever strings a caller passes, Append either refuses the
// entry or writes a line that verifies, and the file never holds the
// plaintext of a value it stored as an HMAC.
func FuzzAppend(f *testing.F) {
	f.Add("arn:aws:iam::111111111111:user/a", "c1", "iam:DeleteAccessKey", "access_key_id", "AKIAIOSFODNN7EXAMPLE", "note", "<&>\"\\")
	f.Add("arn:x", "c\u2028", "sts:AssumeRoot", "email", "a@b.co", "x", "\ufeff")
	f.Add("arn:", "c", "a:B", "Name", "Ünïcode ✓", "value", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	f.Fuzz(func(t *testing.T, actor, change, op, name1, value1, name2, value2 string) {
		path := filepath.Join(t.TempDir(), "audit.log")
		l, err := Open(path, Options{Key: bytes.Repeat([]byte{7}, KeySize), Now: func() time.Time { return time.Unix(1e9, 5) }})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		e := Entry{Actor: actor, PlanID: "p", ChangeID: change, AccountID: "111111111111", Operation: op, Phase: PhaseIntent,
			Params: map[string]string{name1: value1}, Sensitive: map[string]string{name2: value2}}
		if err := l.Append(t.Context(), e); err != nil {
			return
		}
		if err := l.Append(t.Context(), e); err != nil {
			t.Fatalf("second identical Append: %v", err)
		}
		res, err := Verify(path, Options{Key: bytes.Repeat([]byte{7}, KeySize)})
		if err != nil || !res.OK() || res.Entries != 2 {
			t.Fatalf("Verify = %+v, %v", res, err)
		}
		raw, _ := os.ReadFile(path)
		if !bytes.Contains(raw, []byte(`"`+name2+`":"`+l.HMAC(value2)+`"`)) {
			t.Fatalf("sensitive %q not stored as its HMAC:\n%s", name2, raw)
		}
		if len(value2) >= 8 && bytes.Contains(raw, []byte(value2)) && !bytes.Contains([]byte(actor+change+op+name1+value1+name2+l.HMAC(value2)+"111111111111"+l.KeyID()), []byte(value2)) {
			t.Fatalf("plaintext of sensitive %q in the file:\n%s", name2, raw)
		}
	})
}
