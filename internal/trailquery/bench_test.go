package trailquery_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/detect"
	"github.com/rootguard/rootguard/internal/trailquery"
)

// rowsRunner answers every query with the same rows.
type rowsRunner []trailquery.Row

func (r rowsRunner) Run(context.Context, string) (trailquery.Result, error) {
	return trailquery.Result{ID: "bench", Rows: r}, nil
}

// BenchmarkDetect measures the client side of a query: rebuilding Athena rows into records and
// running the engine over them (50,000 rows of root sign-ins, root API calls and AssumeRoot
// sessions). The query itself runs in the service.
func BenchmarkDetect(b *testing.B) {
	const n = 50_000
	rows := make(rowsRunner, 0, n)
	for i := range n {
		at := fmt.Sprintf("2025-03-01T%02d:%02d:%02dZ", i/3600%24, i/60%60, i%60)
		acct := fmt.Sprintf("1111222233%02d", i%50)
		switch i % 4 {
		case 0:
			rows = append(rows, trailquery.Row{"useridentity_type": "Root", "eventsource": "signin.amazonaws.com", "eventname": "ConsoleLogin",
				"eventtime": at, "recipientaccountid": acct, "eventid": fmt.Sprint(i),
				"responseelements": `{"ConsoleLogin":"Failure"}`, "additionaleventdata": `{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com/"}`})
		case 1:
			rows = append(rows, trailquery.Row{"useridentity_type": "Root", "eventsource": "s3.amazonaws.com", "eventname": "ListBuckets",
				"eventtime": at, "recipientaccountid": acct, "eventid": fmt.Sprint(i), "readonly": "true",
				"useridentity_accesskeyid": fmt.Sprintf("ASIA%d", i-1), "requestparameters": `{"Host":"s3.amazonaws.com"}`})
		case 2:
			rows = append(rows, trailquery.Row{"useridentity_type": "AssumedRole", "eventsource": "sts.amazonaws.com", "eventname": "AssumeRoot",
				"eventtime": at, "recipientaccountid": "999988887777", "eventid": fmt.Sprint(i),
				"requestparameters": `{"targetPrincipal":"` + acct + `","taskPolicyArn":{"arn":"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}}`,
				"responseelements":  fmt.Sprintf(`{"credentials":{"accessKeyId":"ASIA%d"}}`, i+1)})
		default:
			rows = append(rows, trailquery.Row{"useridentity_type": "Root", "eventsource": "iam.amazonaws.com", "eventname": "ListMFADevices",
				"eventtime": at, "recipientaccountid": acct, "eventid": fmt.Sprint(i), "useridentity_accesskeyid": fmt.Sprintf("ASIA%d", i)})
		}
	}
	o := trailquery.Options{Dialect: trailquery.Athena}
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var alerts int
	for b.Loop() {
		as, _, err := trailquery.Detect(b.Context(), rows, o, detect.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		alerts = len(as)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(alerts), "alerts")
}
