package detect_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/detect"
)

const realRecordsDir = "conformance/real-records/data"

// realRecords returns every record under shared/conformance/real-records/data (CloudTrail
// files, gzipped or not, and EventBridge envelopes one a line); it skips when they are absent.
func realRecords(t testing.TB) []json.RawMessage {
	t.Helper()
	dir := findShared(realRecordsDir)
	if dir == "" {
		t.Skipf("shared/%s not found above the working directory: real records are kept outside the repository", realRecordsDir)
	}
	var recs []json.RawMessage
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			if data, err = io.ReadAll(zr); err != nil {
				return err
			}
		}
		if strings.HasSuffix(path, ".jsonl") {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
					recs = append(recs, append(json.RawMessage(nil), line...))
				}
			}
			return sc.Err()
		}
		rs, err := splitRecords(data)
		recs = append(recs, rs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// sameAsStd fails the test when DecodeRecord and the encoding/json oracle disagree on data.
func sameAsStd(t *testing.T, data []byte) {
	t.Helper()
	got, gotErr := detect.DecodeRecord(data)
	want, wantErr := detect.DecodeRecordStd(data)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("error %v, encoding/json %v, input %q", gotErr, wantErr, data)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("differs from encoding/json (-want +got):\n%s\ninput %q", d, data)
	}
}

// TestDecodeRecordReal: on real records DecodeRecord gives what encoding/json gives, and its
// own scanner reads them (else the comparison would only test the fall-back).
func TestDecodeRecordReal(t *testing.T) {
	recs := realRecords(t)
	var scanned int
	for _, raw := range recs {
		sameAsStd(t, raw)
		if detect.ScansRecord(raw) {
			scanned++
		}
	}
	if scanned < len(recs)*9/10 {
		t.Errorf("the scanner read %d of %d real records without encoding/json, want 90 %%", scanned, len(recs))
	}
	t.Logf("%d real records, %d read by the scanner", len(recs), scanned)
}

func TestDecodeRecordEdges(t *testing.T) {
	for _, s := range []string{
		`{"eventName":"A","eventName":"B"}`,
		`{"eventName":"A","EventName":"B"}`,
		`{"EVENTNAME":"A"}`,
		`{"event\u004eame":"A"}`,
		`{"eventName":"A","userIdentity":{"type":"Root"},"userIdentity":{"arn":"x"}}`,
		`{"eventName":"A","userIdentity":null}`,
		`{"eventName":"A","userIdentity":"Root"}`,
		`{"eventName":{"a":1}}`,
		`{"eventName":12.5e3,"awsRegion":true,"eventID":null,"readOnly":"true"}`,
		`{"eventName":"R\u006fot \"x\" \u00e9","userAgent":"caf` + "\xc3\xa9\xff" + `"}`,
		`{"eventName":"A","readOnly":{"x":1},"requestParameters":null,"responseElements":[1,{"a":[]}]}`,
		`{"eventName":"A","x":01}`, `{"eventName":"A","x":1.}`, `{"eventName":"A","x":-}`,
		`{"eventName":"A","x":"` + "\x01" + `"}`, `{"eventName":"A","x":"\q"}`, `{"eventName":"A"} x`,
		`{"eventName":"A",}`, `{"eventName":"A"`, `{"eventName" "A"}`, `{"eventName":"A","x":[1,]}`,
		`{"eventName":"A","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
		` {"detail":{"eventName":"AssumeRoot","userIdentity":{"type":"AssumedRole","sessionContext":{"assumedRoot":"true"}}}} `,
		`{"detail":{"eventName":"A","eventName":"B"}}`,
		`{"eventName":"A","userIdentity":{"accessKeyId":"x","accesskeyid":"y"}}`,
		"{\"eventName\":\"A\",\"userIdentity\":{\"accessKeyId\":\"x\",\"access\u212aeyId\":\"y\"}}",
		`{"eventName":"A","userIdentity":{"sessionContext":{"assumedRoot":"false","assumedRoot":"true","assumedroot":"x"}}}`,
		`{"eventName":"A","userIdentity":{"sessionContext":{"assumed\u0052oot":"true","sourceIdentity":7}}}`,
		`{"eventName":"A","userIdentity":{"sessionContext":{"sessionIssuer":{"TYPE":"Root","arn":"a","arn":"b"},"attributes":{"mfaAuthenticated":true}}}}`,
		`{"eventName":"A","userIdentity":{"sessionContext":{"sessionIssuer":{"type":{}},"attributes":[]}}}`,
		`{"eventName":"A","userIdentity":{"sessionContext":{"assumedRoot":{},"sourceIdentity":[]}}}`,
	} {
		sameAsStd(t, []byte(s))
	}
}

// FuzzDecodeRecordStd: DecodeRecord gives the same record or error as the encoding/json oracle.
func FuzzDecodeRecordStd(f *testing.F) {
	fuzzSeeds(f)
	if findShared(realRecordsDir) != "" {
		for _, raw := range realRecords(f) {
			f.Add([]byte(raw))
		}
	}
	f.Fuzz(sameAsStd)
}
