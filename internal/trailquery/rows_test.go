package trailquery_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/trailquery"
)

func asJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

func TestRebuild(t *testing.T) {
	athenaOpts := trailquery.Options{Dialect: trailquery.Athena}
	lakeOpts := trailquery.Options{Dialect: trailquery.Lake, EventDataStore: "eds"}
	call := func(target, at, key string) trailquery.Row {
		return trailquery.Row{"eventsource": "sts.amazonaws.com", "eventname": "AssumeRoot", "eventtime": at,
			"requestparameters": `{"targetPrincipal":"` + target + `"}`,
			"responseelements":  `{"credentials":{"accessKeyId":"` + key + `"}}`}
	}
	session := func(acct, at, key string) trailquery.Row {
		return trailquery.Row{"useridentity_type": "Root", "useridentity_accesskeyid": key, "recipientaccountid": acct,
			"eventtime": at, "eventname": "DeleteBucketPolicy"}
	}
	const sessionJSON = `{"userIdentity":{"type":"Root","accessKeyId":"K1"%s},"recipientAccountId":"%s","eventTime":"%s","eventName":"DeleteBucketPolicy"}`
	marked := `,"sessionContext":{"assumedRoot":"true"}`
	tests := []struct {
		name string
		opts trailquery.Options
		rows []trailquery.Row
		want []string
	}{
		{
			name: "athena: JSON text columns, text that is not JSON, null",
			opts: athenaOpts,
			rows: []trailquery.Row{{
				"eventid": "e1", "readonly": "true", "useridentity_sessioncontext_sessionissuer_type": "Root",
				"requestparameters": `{"userName": "bob", "n": 1}`, "responseelements": "null", "additionaleventdata": "not json",
				"eventtime": "2025-03-01T09:59:00Z",
			}},
			want: []string{`{"eventID":"e1","readOnly":true,"eventTime":"2025-03-01T09:59:00Z",
				"userIdentity":{"sessionContext":{"sessionIssuer":{"type":"Root"}}},
				"requestParameters":{"userName":"bob","n":1},"additionalEventData":"not json"}`},
		},
		{
			name: "lake: timestamps, booleans and maps whose nested values are JSON text",
			opts: lakeOpts,
			rows: []trailquery.Row{{
				"eventtime": "2025-03-01 09:59:00.000", "readonly": "false",
				"requestparameters":   `{"taskPolicyArn":"{\"arn\":\"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy\"}","userName":"bob","list":"[1,2]","plain":"{not json"}`,
				"additionaleventdata": `{"MFAUsed":"No"}`,
			}},
			want: []string{`{"eventTime":"2025-03-01T09:59:00Z","readOnly":false,
				"requestParameters":{"taskPolicyArn":{"arn":"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},"userName":"bob","list":[1,2],"plain":"{not json"},
				"additionalEventData":{"MFAUsed":"No"}}`},
		},
		{
			name: "sessions of an AssumeRoot call: same key, target account, within 900 s",
			opts: athenaOpts,
			rows: []trailquery.Row{
				call("111122223333", "2025-03-01T10:00:00Z", "K1"),
				session("111122223333", "2025-03-01T10:14:59Z", "K1"),
				session("111122223333", "2025-03-01T10:30:00Z", "K1"), // after the session's end
				session("999988887777", "2025-03-01T10:01:00Z", "K1"), // another account
			},
			want: []string{
				`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoot","eventTime":"2025-03-01T10:00:00Z",
					"requestParameters":{"targetPrincipal":"111122223333"},"responseElements":{"credentials":{"accessKeyId":"K1"}}}`,
				strings.Replace(sessionJSON, "%s", marked, 1),
				strings.Replace(sessionJSON, "%s", "", 1),
				strings.Replace(sessionJSON, "%s", "", 1),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := trailquery.Rebuild(tc.opts, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(got), len(tc.want))
			}
			for i := range got {
				want := tc.want[i]
				if strings.Contains(want, "%s") { // the session template: fill account and time from the row
					want = strings.Replace(strings.Replace(want, "%s", tc.rows[i]["recipientaccountid"], 1), "%s", tc.rows[i]["eventtime"], 1)
				}
				if diff := cmp.Diff(asJSON(t, want), asJSON(t, string(got[i]))); diff != "" {
					t.Errorf("record %d (-want +got)\n%s", i, diff)
				}
			}
		})
	}
}

func TestRebuildRejectsLakeMapThatIsNotJSON(t *testing.T) {
	_, err := trailquery.Rebuild(trailquery.Options{Dialect: trailquery.Lake, EventDataStore: "eds"},
		[]trailquery.Row{{"requestparameters": "{userName=bob}"}})
	if err == nil || !strings.Contains(err.Error(), "row 0: column requestparameters: not JSON") {
		t.Fatalf("err = %v", err)
	}
}
