package detect_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
)

// benchCorpus is what an archive mostly holds: ordinary role activity, with the sample root
// records mixed in (about one record in twenty is root-related).
func benchCorpus(b *testing.B) (raws [][]byte, size int64) {
	b.Helper()
	var samples [][]byte
	for _, path := range sampleFiles(b) {
		for _, raw := range loadRecords(b, path) {
			samples = append(samples, raw)
		}
	}
	for i := range 20 * len(samples) {
		var raw []byte
		if i%20 == 0 {
			raw = samples[i/20]
		} else {
			raw = ordinaryRecord(i)
		}
		raws = append(raws, raw)
		size += int64(len(raw))
	}
	return raws, size
}

func ordinaryRecord(i int) []byte {
	rec := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLEID:ci-runner", "arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-runner",
			"accountId": "111122223333", "accessKeyId": "ASIAEXAMPLEKEY000001",
			"sessionContext": map[string]any{
				"sessionIssuer":       map[string]any{"type": "Role", "principalId": "AROAEXAMPLEID", "arn": "arn:aws:iam::111122223333:role/Deploy", "accountId": "111122223333", "userName": "Deploy"},
				"webIdFederationData": map[string]any{}, "attributes": map[string]any{"creationDate": "2024-05-02T08:00:00Z", "mfaAuthenticated": "false"},
			},
		},
		"eventTime": fmt.Sprintf("2024-05-02T09:%02d:%02dZ", i/60%60, i%60), "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
		"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.10", "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0",
		"requestParameters": map[string]any{"instancesSet": map[string]any{}, "filterSet": map[string]any{"items": []any{map[string]any{"name": "tag:Environment", "valueSet": map[string]any{"items": []any{map[string]any{"value": "production"}}}}}}},
		"responseElements":  nil, "requestID": fmt.Sprintf("%08x-aaaa-bbbb-cccc-000000000000", i), "eventID": fmt.Sprintf("%08x-dddd-eeee-ffff-000000000000", i),
		"readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management",
		"tlsDetails": map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "ec2.eu-west-1.amazonaws.com"},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkInteresting(b *testing.B) {
	raws, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	var hits int
	for b.Loop() {
		hits = 0
		for _, raw := range raws {
			if detect.Interesting(raw) {
				hits++
			}
		}
	}
	b.ReportMetric(float64(hits)/float64(len(raws)), "pass-rate")
}

func BenchmarkDecodeRecord(b *testing.B) {
	raws, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, raw := range raws {
			if _, err := detect.DecodeRecord(raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkObserve measures the rules alone on decoded records (bytes are the raw sizes).
func BenchmarkObserve(b *testing.B) {
	raws, size := benchCorpus(b)
	recs := make([]*detect.Record, len(raws))
	for i, raw := range raws {
		r, err := detect.DecodeRecord(raw)
		if err != nil {
			b.Fatal(err)
		}
		recs[i] = r
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		e := newEngine(b, detect.DefaultConfig())
		for i, r := range recs {
			e.Observe(r, detect.Source{File: "bench.json", Index: i})
		}
		e.Flush()
	}
}

// BenchmarkPipeline is the scanner's path: prefilter, then decode and observe what passes.
func BenchmarkPipeline(b *testing.B) {
	raws, size := benchCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		e := newEngine(b, detect.DefaultConfig())
		for i, raw := range raws {
			if !detect.Interesting(raw) {
				continue
			}
			r, err := detect.DecodeRecord(raw)
			if err != nil {
				b.Fatal(err)
			}
			e.Observe(r, detect.Source{File: "bench.json", Index: i})
		}
		e.Flush()
	}
}
