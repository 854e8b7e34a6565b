package trail

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/rootguard/rootguard/internal/detect"
)

// memInput is an input held in memory.
type memInput struct {
	name string
	data []byte
}

func (m memInput) Name() string { return m.name }
func (m memInput) Open(context.Context) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.data)), nil
}

func gzipOf(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// scanWith scans data as one input with the inflater and returns what the
// scan reports, alerts included, as text.
func scanWith(t testing.TB, data []byte, inflater string) string {
	t.Helper()
	d, err := detect.NewDriver(detect.DefaultConfig(), detect.Window{})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []detect.Alert
	sum, err := Scan(context.Background(), d, slices.Values([]Item{{Input: memInput{"in.json.gz", data}}}), Options{Inflater: inflater, ChunkSize: 4096},
		func(a detect.Alert) error { alerts = append(alerts, a); return nil })
	js, jerr := json.Marshal(struct {
		Summary Summary
		Alerts  []detect.Alert
	}{sum, alerts})
	if jerr != nil {
		t.Fatal(jerr)
	}
	return fmt.Sprintf("err %v\n%s", err, js)
}

// rootLogin is a root console sign-in without MFA: it raises alerts.
const rootLogin = `{"eventVersion":"1.09","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2025-03-03T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e-root","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`

// gzipCases are inputs on which whole-file inflation must fall back to
// streaming or agree with it: several members, trailers whose size field
// lies, damage after a readable part, trailing bytes.
func gzipCases(t testing.TB) map[string][]byte {
	var many []string
	for i := range 300 {
		many = append(many, ctRecord(i+2, ""))
	}
	one := gzipOf(t, `{"Records":[`+rootLogin+`,`+ctRecord(2, "")+`]}`)
	big := gzipOf(t, `{"Records":[`+rootLogin+`,`+strings.Join(many, ",")+`]}`)
	lie := func(b []byte, size uint32) []byte {
		b = slices.Clone(b)
		binary.LittleEndian.PutUint32(b[len(b)-4:], size)
		return b
	}
	return map[string][]byte{
		"one member":                    one,
		"two members":                   append(gzipOf(t, `{"Records":[`+rootLogin+`,`), gzipOf(t, ctRecord(2, "")+`]}`)...),
		"size field too low":            lie(big, 10),
		"size field too high":           lie(one, 1<<31),
		"size field above the cap":      lie(big, WholeMaxInflated+1),
		"damaged after a readable part": append(slices.Clone(big[:len(big)/2]), bytes.Repeat([]byte{0xff}, 64)...),
		"truncated":                     big[:len(big)-5],
		"trailing zeros":                append(slices.Clone(one), 0, 0, 0, 0),
		"trailing garbage":              append(slices.Clone(one), "garbage"...),
		"gzip of nothing":               gzipOf(t, ""),
	}
}

// TestInflatersAgree: every inflater of the build reports the same records,
// bytes, failures and alerts on every case (with -tags libdeflate this
// compares libdeflate's whole-file path with the Go stream).
func TestInflatersAgree(t *testing.T) {
	for name, data := range gzipCases(t) {
		t.Run(name, func(t *testing.T) {
			want := scanWith(t, data, InflaterGo)
			if name == "one member" && !strings.Contains(want, detect.RuleConsoleLoginWithoutMFA) {
				t.Fatalf("the root sign-in raised no alert:\n%s", want)
			}
			for _, inf := range Inflaters() {
				if got := scanWith(t, data, inf); got != want {
					t.Errorf("inflater %s:\n%s\ngo:\n%s", inf, got, want)
				}
			}
		})
	}
}

func TestUnknownInflater(t *testing.T) {
	if _, err := Decompress(t.Context(), slices.Values([]Item(nil)), Options{Inflater: "zlib-ng"}); err == nil {
		t.Error("an inflater the build does not have was accepted")
	}
}

// FuzzInflate feeds every inflater of the build the same gzip input (seeded
// with the split seeds compressed and the cases above) and wants the same
// outcome.
func FuzzInflate(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(gzipOf(f, string(data)))
	}
	for _, data := range gzipCases(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := scanWith(t, data, InflaterGo)
		for _, inf := range Inflaters() {
			if got := scanWith(t, data, inf); got != want {
				t.Fatalf("inflater %s:\n%s\ngo:\n%s", inf, got, want)
			}
		}
	})
}
