package trailquery_test

import (
	"encoding/json"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailquery"
)

// FuzzRebuild feeds rows as a query service could answer them (a JSON object of column → text)
// to Rebuild in both dialects: no panic, every rebuilt record is JSON, and decoding it does not
// panic either.
func FuzzRebuild(f *testing.F) {
	f.Add(true, `{"eventtime":"2025-03-01 09:59:00.000","readonly":"false","requestparameters":"{\"taskPolicyArn\":\"{\\\"arn\\\":\\\"x\\\"}\"}"}`)
	f.Add(false, `{"useridentity_type":"Root","eventname":"ConsoleLogin","responseelements":"{\"ConsoleLogin\":\"Success\"}","additionaleventdata":"{\"MFAUsed\":\"No\"}"}`)
	f.Add(false, `{"eventsource":"sts.amazonaws.com","eventname":"AssumeRoot","eventtime":"2025-03-01T10:00:00Z","requestparameters":"{\"targetPrincipal\":\"arn:aws:iam::111122223333:root\"}","responseelements":"{\"credentials\":{\"accessKeyId\":\"K\"}}"}`)
	f.Add(true, `{"requestparameters":"[1,2]","eventtime":"not a time","readonly":"maybe"}`)
	f.Fuzz(func(t *testing.T, lake bool, row string) {
		var r trailquery.Row
		if json.Unmarshal([]byte(row), &r) != nil {
			return
		}
		o := trailquery.Options{Dialect: trailquery.Athena}
		if lake {
			o = trailquery.Options{Dialect: trailquery.Lake, EventDataStore: "eds"}
		}
		// The row twice, so that an AssumeRoot call can mark a session.
		recs, err := trailquery.Rebuild(o, []trailquery.Row{r, r})
		if err != nil {
			return
		}
		for _, rec := range recs {
			if !json.Valid(rec) {
				t.Fatalf("rebuilt record is not JSON: %s", rec)
			}
			detect.DecodeRecord(rec) //nolint:errcheck // only must not panic
		}
	})
}
