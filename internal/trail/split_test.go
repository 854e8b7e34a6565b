package trail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trail/teddy"
)

// recSink collects candidate records; match is a substring test.
type recSink struct {
	needle  string
	got     []string
	indexes []int
}

func (s *recSink) match(raw []byte) bool { return bytes.Contains(raw, []byte(s.needle)) }

func (s *recSink) record(raw []byte, index int, first bool) error {
	if !bytes.Contains(raw, []byte(s.needle)) {
		return nil // the first record, and every record in strict mode, is handed over
	}
	s.got = append(s.got, string(raw))
	s.indexes = append(s.indexes, index)
	return nil
}

type splitResult struct {
	Records int
	Got     []string
	Indexes []int
	Err     string
}

func split(data []byte, chunk int, needle string, strict bool, oneByte bool) splitResult {
	s := &recSink{needle: needle}
	sp := newSplitter(s, [][]byte{[]byte(needle)}, strict)
	var r io.Reader = bytes.NewReader(data)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	_, err := splitReader(r, sp, make([]byte, 0, chunk), 1<<20, nil)
	res := splitResult{Records: sp.index, Got: s.got, Indexes: s.indexes}
	if err != nil {
		res.Err = err.Error()
	}
	return res
}

func ctRecord(i int, extra string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/i-%d"},"eventTime":"2025-01-01T00:00:%02dZ","eventName":"Describe\"{Instances}\\","requestParameters":{"filterSet":{"items":[{"name":"x}]{[","valueSet":{}}]}}%s,"eventID":"e-%d"}`, i, i%60, extra, i)
}

func TestSplitChunkBoundaries(t *testing.T) {
	var recs []string
	for i := range 40 {
		extra := ""
		if i%7 == 3 {
			extra = `,"note":"Root"`
		}
		recs = append(recs, ctRecord(i, extra))
	}
	records := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	spaced := []byte("{ \"Records\" : [\n  " + strings.Join(recs, ",\n  ") + "\n]}\n")
	lines := []byte(strings.Join(recs, "\n") + "\n")
	concat := append(append([]byte{}, records...), records...)
	pretty := func() []byte {
		var b bytes.Buffer
		for _, r := range recs[:5] {
			_ = json.Indent(&b, []byte(`{"version":"0","detail":`+r+`}`), "", "  ")
			b.WriteString("\n")
		}
		return b.Bytes()
	}()

	cases := []struct {
		name string
		data []byte
	}{
		{"records", records},
		{"records-spaced", spaced},
		{"jsonl", lines},
		{"jsonl-crlf-blank", []byte(strings.ReplaceAll(string(lines), "\n", "\r\n\r\n"))},
		{"two-files-concatenated", concat},
		{"pretty-envelopes", pretty},
		{"bare-array", []byte("[" + strings.Join(recs, ",") + "]")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := split(tc.data, 1<<20, "Root", true, false)
			if want.Err != "" {
				t.Fatalf("strict split: %s", want.Err)
			}
			if len(want.Got) == 0 {
				t.Fatalf("strict split found no candidate records; test data broken")
			}
			for _, chunk := range []int{1, 2, 7, 64, 1000, 4096, 1 << 20} {
				for _, strict := range []bool{false, true} {
					got := split(tc.data, chunk, "Root", strict, chunk == 7)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("chunk %d strict %v: (-want +got)\n%s", chunk, strict, diff)
					}
				}
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	rec := ctRecord(1, `,"x":"Root"`)
	cases := []struct {
		name    string
		data    string
		records int
		got     int
		wantErr string
	}{
		{"truncated-in-record", `{"Records":[` + rec + `,` + rec[:50], 1, 1, fmt.Sprintf("byte %d: unexpected", len(`{"Records":[`+rec+`,`)) + " end of input: Records array not closed after record 1"},
		{"unclosed-array", `{"Records":[` + rec, 1, 1, "unexpected end of input: Records array not closed after record 1"},
		{"csv", "a,b,c\n1,2,3\n", 0, 0, `invalid JSON at byte 0: not a JSON object or array (starts with 'a')`},
		{"mismatched", `{"Records":[{"a":[}]}`, 0, 0, `unexpected '}'`},
		{"trailing-comma", `{"Records":[` + rec + `,]}`, 1, 1, `unexpected ']' after ','`},
		{"garbage-after-line", rec + "\nnot json\n", 1, 1, `not a JSON object or array (starts with 'n')`},
		{"empty", "", 0, 0, ""},
		{"empty-records", `{"Records":[]}`, 0, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{3, 1 << 16} {
				got := split([]byte(tc.data), chunk, "Root", false, false)
				if got.Records != tc.records || len(got.Got) != tc.got || !strings.Contains(got.Err, tc.wantErr) || (tc.wantErr == "") != (got.Err == "") {
					t.Errorf("chunk %d: records %d, candidates %d, err %q; want %d, %d, error containing %q", chunk, got.Records, len(got.Got), got.Err, tc.records, tc.got, tc.wantErr)
				}
			}
		})
	}
}

// TestNeedleSetPlanted plants each needle at every position of fillers of
// every length up to a few vector blocks, and asks every range around it:
// the vectorised pass (where the CPU has it) and the bytes.IndexByte
// groups must both say a needle starts there exactly when one does.
func TestNeedleSetPlanted(t *testing.T) {
	needles := detect.Needles()
	sets := map[string]needleSet{"default": newNeedleSet(needles), "groups": {needles: needles, groups: groupFinders(needles)}}
	if _, ok := teddy.New(needles); ok != (sets["default"].tri != nil) {
		t.Fatalf("the rules' needles do not use the vectorised pass on a CPU that has it (or the reverse)")
	}
	for name, ns := range sets {
		for _, n := range needles {
			for size := len(n); size <= 100; size++ {
				for at := 0; at+len(n) <= size; at++ {
					hay := bytes.Repeat([]byte("Ro"), size)[:size] // near misses everywhere
					copy(hay[at:], n)
					for _, r := range [][2]int{{0, size}, {at, at + 1}, {0, at}, {at + 1, size}, {max(0, at-33), at + 1}} {
						want := r[0] <= at && at < r[1]
						if got := ns.within(hay, r[0], r[1]); got != want {
							t.Fatalf("%s: %q at %d of %q, range %v: %v, want %v", name, n, at, hay, r, got, want)
						}
					}
				}
			}
		}
	}
}

// TestSplitNestedAnchor: an object nested in an array inside a record can
// look like a record boundary to the fast path ("},{\"eventVersion\":").
// The splitter must still hand over whole records, count them right and
// report no error on valid JSON, and a malformed one must give an error,
// not a panic (a fuzz find: the bracket match ran past the supposed
// boundary).
func TestSplitNestedAnchor(t *testing.T) {
	first := `{"eventVersion":"0"},` // the first record always takes the exact path
	for name, tt := range map[string]struct {
		data string
		want []string // the record holding the needle
		err  string
	}{
		"needle before the nested object": {
			data: `{"Records":[` + first + `{"eventVersion":"1","x":"Root","a":[{"b":1},{"eventVersion":"2"}]},{"eventVersion":"3"}]}`,
			want: []string{`{"eventVersion":"1","x":"Root","a":[{"b":1},{"eventVersion":"2"}]}`},
		},
		"needle in the nested object": {
			data: `{"Records":[` + first + `{"eventVersion":"1","a":[{"b":1},{"eventVersion":"2","x":"Root"}],"c":1},{"eventVersion":"3"}]}`,
			want: []string{`{"eventVersion":"1","a":[{"b":1},{"eventVersion":"2","x":"Root"}],"c":1}`},
		},
		"needle after the nested objects": {
			data: `{"Records":[` + first + `{"eventVersion":"1","a":[{"b":1},{"eventVersion":"2"},{"eventVersion":"4"}],"c":"Root"},{"eventVersion":"3"}]}`,
			want: []string{`{"eventVersion":"1","a":[{"b":1},{"eventVersion":"2"},{"eventVersion":"4"}],"c":"Root"}`},
		},
		"malformed": {
			data: `[{"eventVersion":"000000000000"},{"eventVersion":00"0000000000000"0{00"0000000000000000000"0000"0000000000"00"0000000000000000"0"00000"0"000000"},{"eventVersion":0}}{"eventVersion":`,
			err:  "invalid JSON",
		},
	} {
		t.Run(name, func(t *testing.T) {
			// Within one chunk (4096); a chunk of 7 is smaller than any
			// record, so the exact path reads them. A chunk that ends
			// inside such a record carries an assumed boundary over: the
			// file can then be reported as invalid JSON (split.go: runFast).
			for _, chunk := range []int{7, 4096} {
				res := split([]byte(tt.data), chunk, "Root", false, false)
				if tt.err != "" {
					if !strings.Contains(res.Err, tt.err) {
						t.Fatalf("chunk %d: error %q, want one saying %q", chunk, res.Err, tt.err)
					}
					continue
				}
				want := splitResult{Records: 3, Got: tt.want, Indexes: []int{1}}
				if diff := cmp.Diff(want, res); diff != "" {
					t.Fatalf("chunk %d (-want +got):\n%s", chunk, diff)
				}
			}
		})
	}
}
