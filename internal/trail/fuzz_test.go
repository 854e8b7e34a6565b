package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// splitAll returns every record the splitter finds in data (an empty
// needle makes each one a candidate) and the record count.
func splitAll(data []byte, chunk int, strict bool) ([]string, int, error) {
	s := &recSink{needle: ""} // every record is a candidate
	sp := newSplitter(s, [][]byte{nil, []byte("Root")}, strict)
	_, err := splitReader(bytes.NewReader(data), sp, make([]byte, 0, chunk), 1<<20, nil)
	return s.got, sp.index, err
}

// jsonRecords is what encoding/json finds: the elements of a {"Records":[]}
// wrapper or a bare array, or a stream of top-level objects. ok is false
// when data is not one of those shapes.
func jsonRecords(data []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []string
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return out, err.Error() == "EOF"
		}
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '[':
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil {
				return nil, false
			}
			for _, e := range elems {
				if len(e) == 0 || e[0] != '{' {
					return nil, false
				}
				out = append(out, string(e))
			}
		case len(v) > 0 && v[0] == '{':
			if j, ok, err := recordsWrapper(v, 0); err == nil && ok {
				var w struct{ Records []json.RawMessage }
				if json.Unmarshal(v, &w) != nil {
					return nil, false
				}
				// Only a wrapper with nothing but Records matches the splitter.
				if end, _, err := valueEnd(v, j-1, nil); err != nil || !bytes.Equal(bytes.TrimSpace(v[end:len(v)-1]), nil) {
					return nil, false
				}
				for _, e := range w.Records {
					if len(e) == 0 || e[0] != '{' {
						return nil, false
					}
					out = append(out, string(e))
				}
				continue
			}
			out = append(out, string(v))
		default:
			return nil, false
		}
	}
}

// seedFiles returns the contents of the files in testdata/fuzz-seeds.
func seedFiles(f *testing.F) [][]byte {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz-seeds", "*"))
	var out [][]byte
	for _, p := range seeds {
		if filepath.Ext(p) == ".md" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func FuzzSplit(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data, uint16(7))
	}
	f.Add([]byte(`{"Records":[`+ctRecord(1, `,"a":"Root"`)+`,`+ctRecord(2, "")+`]}`), uint16(3))
	f.Add([]byte(ctRecord(1, "")+"\n"+ctRecord(2, `,"a":"Root"`)+"\n"), uint16(64))
	f.Add([]byte(`[{"eventVersion":"1"},{"a":"\"}"}]`), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		size := int(chunk%4096) + 1
		fast, nFast, errFast := splitAll(data, size, false)
		exact, nExact, errExact := splitAll(data, 1<<16, true)
		want, ok := jsonRecords(data)
		if !ok {
			return // not a shape the scanner promises to read; no panic is enough
		}
		if errExact != nil {
			t.Fatalf("strict split failed on valid input: %v", errExact)
		}
		if errFast != nil {
			t.Fatalf("split (chunk %d) failed on valid input: %v", size, errFast)
		}
		for name, got := range map[string][]string{"strict": exact, "fast": fast} {
			if len(got) != len(want) {
				t.Fatalf("%s: %d records, encoding/json finds %d", name, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: record %d = %q, encoding/json: %q", name, i, got[i], want[i])
				}
			}
		}
		if nFast != len(want) || nExact != len(want) {
			t.Fatalf("record counts %d (fast) and %d (strict), want %d", nFast, nExact, len(want))
		}
	})
}

func FuzzFinder(f *testing.F) {
	f.Add([]byte(`xx{"eventVersion":{"eventVersion":`), []byte(`{"eventVersion":`))
	f.Add([]byte("RootRoRoot"), []byte("Root"))
	f.Fuzz(func(t *testing.T, hay, needle []byte) {
		if len(needle) == 0 {
			return
		}
		fd := newFinder(needle)
		if got, want := fd.index(hay, 0), bytes.Index(hay, needle); got != want {
			t.Fatalf("index = %d, bytes.Index = %d", got, want)
		}
		if got, want := fd.lastIndex(hay, 0), bytes.LastIndex(hay, needle); got != want {
			t.Fatalf("lastIndex = %d, bytes.LastIndex = %d", got, want)
		}
	})
}

func FuzzNeedleSet(f *testing.F) {
	f.Add([]byte("xxPrimaryEmailPasswordRecoverySetAccountPreferences"), 3, 20)
	f.Add([]byte("PPrimaryEmai PasswordRecover SetAccountPreferences"), 0, 60)
	f.Add([]byte("SetAccountPreferences"), 0, 1)
	f.Add([]byte(`{"type":"Role","arn":"x"},{"type":"Root"}`+strings.Repeat("y", 40)+`\u`), 0, 90)
	f.Fuzz(func(t *testing.T, hay []byte, from, to int) {
		from = max(0, min(from, len(hay)))
		to = max(from, min(to, len(hay)))
		for _, needles := range [][][]byte{
			detect.Needles(),
			{[]byte("PasswordRecovery"), []byte("PrimaryEmail"), []byte("SetAccountPreferences"), []byte("xP")},
		} {
			want := false
			for _, n := range needles {
				for i := from; i < to; i++ {
					want = want || bytes.HasPrefix(hay[i:], n)
				}
			}
			ns := newNeedleSet(needles)
			if got := ns.within(hay, from, to); got != want {
				t.Fatalf("needles %q start in [%d, %d): %v, want %v", needles, from, to, got, want)
			}
			ns.tri = nil // the bytes.IndexByte passes, as without AVX2
			ns.groups = groupFinders(needles)
			if got := ns.within(hay, from, to); got != want {
				t.Fatalf("groups: needles %q start in [%d, %d): %v, want %v", needles, from, to, got, want)
			}
		}
	})
}

// handSink keeps every record the splitter hands over.
type handSink struct{ got []string }

func (s *handSink) match([]byte) bool { return true }

func (s *handSink) record(raw []byte, index int, first bool) error {
	s.got = append(s.got, fmt.Sprintf("%d %v %s", index, first, raw))
	return nil
}

// splitWays splits data with the rules' needles in each way this CPU
// has: the vectorised needle search (with AVX2) and the bytes.IndexByte
// groups; each gives the records handed over, the count and the error.
func splitWays(data []byte, chunk int) map[string]string {
	out := map[string]string{}
	for _, way := range []string{"vectorised", "groups"} {
		s := &handSink{}
		sp := newSplitter(s, detect.Needles(), false)
		switch {
		case way == "vectorised" && sp.needles.tri == nil:
			continue
		case way == "groups":
			sp.needles = needleSet{needles: detect.Needles(), groups: groupFinders(detect.Needles())}
		}
		_, err := splitReader(bytes.NewReader(data), sp, make([]byte, 0, chunk), 1<<20, nil)
		out[way] = fmt.Sprintf("%d records, error %v, handed over:\n%s", sp.index, err, strings.Join(s.got, "\n"))
	}
	return out
}

// FuzzSplitWays checks that the splitter hands over exactly the same
// records with the vectorised needle search as with the bytes.IndexByte
// groups, on any input (FuzzSplit's empty needle never reaches the
// vectorised search).
func FuzzSplitWays(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data, uint16(300))
	}
	f.Add([]byte(`{"Records":[`+ctRecord(1, `,"a":"Root"`)+`,`+ctRecord(2, `,"b":"\u0052oot"`)+`, `+ctRecord(3, "")+`]}`), uint16(40))
	f.Add([]byte(`[{"eventVersion":"1","x":"SetAccountPreferences"}  ,{"eventVersion":"2"},{"eventVersion":"3","y":{"eventVersion":"Root"}}]`), uint16(4096))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		ways := splitWays(data, int(chunk%4096)+1)
		for way, got := range ways {
			if want := ways["groups"]; got != want {
				t.Fatalf("%s:\n%s\ngroups:\n%s", way, got, want)
			}
		}
	})
}
