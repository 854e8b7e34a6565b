package logfilter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/pattern/logfilter"
)

type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := logfilter.Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.pattern, err)
			}
			if got := f.Match([]byte(tc.event)); got != tc.want {
				t.Errorf("Parse(%q).Match(%s) = %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

// docEvent is the JSON example of the CloudWatch Logs filter pattern syntax
// documentation ("JSON metric filter examples").
const docEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "ThisFlag": true
}`

func TestMatchJSONDocumentedExamples(t *testing.T) {
	t.Parallel()
	runMatchCases(t, []matchCase{
		{"string equality quoted", `{ $.eventType = "UpdateTrail" }`, docEvent, true},
		{"not equal with trailing wildcard", `{ $.sourceIPAddress != 123.123.* }`, docEvent, true},
		{"not equal with matching wildcard", `{ $.sourceIPAddress != 111.111.* }`, docEvent, false},
		{"array index", `{ $.arrayKey[0] = "value" }`, docEvent, true},
		{"array index second", `{ $.arrayKey[1] = "another value" }`, docEvent, true},
		{"array index out of range", `{ $.arrayKey[2] = "value" }`, docEvent, false},
		{"index into object list", `{ $.objectList[1].id = 2 }`, docEvent, true},
		{"index on a non-array", `{ $.eventType[0] = "UpdateTrail" }`, docEvent, false},
		{"is null", `{ $.SomeObject IS NULL }`, docEvent, true},
		{"is null on a string", `{ $.eventType IS NULL }`, docEvent, false},
		{"is null on a missing property", `{ $.Nothing IS NULL }`, docEvent, false},
		{"not exists on a missing property", `{ $.SomeOtherObject NOT EXISTS }`, docEvent, true},
		{"not exists on a null property", `{ $.SomeObject NOT EXISTS }`, docEvent, false},
		{"not exists under a missing parent", `{ $.a.b.c NOT EXISTS }`, docEvent, true},
		{"is true", `{ $.ThisFlag IS TRUE }`, docEvent, true},
		{"is false on true", `{ $.ThisFlag IS FALSE }`, docEvent, false},
		{"is true on a string", `{ $.eventType IS TRUE }`, docEvent, false},
		{"keywords in lower case", `{ $.ThisFlag is true && $.Nope not exists }`, docEvent, true},
		{"selector on an array does not apply with =", `{ $.arrayKey = "value" }`, docEvent, false},
		{"selector on an array does not apply with !=", `{ $.arrayKey != "value" }`, docEvent, false},
		{"selector on an object does not apply with !=", `{ $.objectList[0] != "x" }`, docEvent, false},
		{"any element", `{ $.arrayKey[*] = "another value" }`, docEvent, true},
		{"any element none", `{ $.arrayKey[*] = "third" }`, docEvent, false},
		{"any element property", `{ $.objectList[*].name = "b" }`, docEvent, true},
		{"equality on a boolean never matches", `{ $.ThisFlag = true }`, docEvent, false},
		{"not equal on a boolean never matches", `{ $.ThisFlag != false }`, docEvent, false},
		{"not equal on null never matches", `{ $.SomeObject != "x" }`, docEvent, false},
	})
}

func TestMatchJSONStrings(t *testing.T) {
	t.Parallel()
	ev := `{"eventName":"PutEvent","n":"EventId","lit":"Ev*ent","empty":"","quote":"say \"hi\"","num":"400"}`
	runMatchCases(t, []matchCase{
		{"leading wildcard", `{ $.eventName = *Event }`, ev, true},
		{"trailing wildcard", `{ $.n = Event* }`, ev, true},
		{"both wildcards", `{ $.eventName = *tEv* }`, ev, true},
		{"inner star is literal, no match", `{ $.eventName = Pu*ent }`, ev, false},
		{"inner star is literal, match", `{ $.lit = Ev*ent }`, ev, true},
		{"lone star matches any string", `{ $.empty = * }`, ev, true},
		{"lone star needs the property", `{ $.absent = * }`, ev, false},
		{"quoted wildcard", `{ $.eventName = "*Event" }`, ev, true},
		{"case sensitive", `{ $.eventName = "putevent" }`, ev, false},
		{"empty string", `{ $.empty = "" }`, ev, true},
		{"escaped quote", `{ $.quote = "say \"hi\"" }`, ev, true},
		{"missing property with !=", `{ $.absent != "x" }`, ev, false},
		{"present property with !=", `{ $.eventName != "x" }`, ev, true},
		{"regular expression", `{ $.eventName = %^Put[A-Z]% }`, ev, true},
		{"regular expression no match", `{ $.eventName = %^Get% }`, ev, false},
		{"regular expression with !=", `{ $.eventName != %^Get% }`, ev, true},
		{"number literal against a numeric string", `{ $.num = 400 }`, ev, true},
		{"number literal against another string", `{ $.eventName = 400 }`, ev, false},
		{"relational on a string never matches", `{ $.num > 1 }`, ev, false},
	})
}

func TestMatchJSONNumbers(t *testing.T) {
	t.Parallel()
	ev := `{"latency": 1000, "numbers": [0.001, 5], "processes": [{},{},{},{},{"averageRuntime": 55.5}], "errorCode": 400, "five": 5.0, "big": 1e3, "text": "5"}`
	runMatchCases(t, []matchCase{
		{"greater or equal", `{ $.latency >= 500 }`, ev, true},
		{"scientific notation", `{ $.numbers[0] < 10e-3 }`, ev, true},
		{"scientific notation false", `{ $.numbers[0] < 10e-4 }`, ev, false},
		{"decimal", `{ $.processes[4].averageRuntime <= 55.5 }`, ev, true},
		{"decimal strict", `{ $.processes[4].averageRuntime < 55.5 }`, ev, false},
		{"equality", `{ $.errorCode = 400 }`, ev, true},
		{"inequality", `{ $.errorCode != 500 }`, ev, true},
		{"inequality equal", `{ $.errorCode != 400 }`, ev, false},
		{"signed", `{ $.latency > +999 }`, ev, true},
		{"negative", `{ $.latency > -1 }`, ev, true},
		{"5 equals 5.0", `{ $.five = 5 }`, ev, true},
		{"5.0 equals 5", `{ $.numbers[1] = 5.0 }`, ev, true},
		{"1e3 equals 1000", `{ $.big = 1000 }`, ev, true},
		{"number against a string pattern", `{ $.errorCode = 4* }`, ev, true},
		{"lone star matches a number", `{ $.latency = * }`, ev, true},
		{"numeric on a missing property", `{ $.absent < 10 }`, ev, false},
		{"numeric != on a missing property", `{ $.absent != 10 }`, ev, false},
		{"numeric on an array", `{ $.numbers > 0 }`, ev, false},
		{"numeric on a numeric string", `{ $.text = 5 }`, ev, true},
	})
}

// compoundEvent is the example of "JSON compound conditions" in the
// documentation, with the documented outcome of each pattern.
const compoundEvent = `{
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`

func TestMatchJSONCompound(t *testing.T) {
	t.Parallel()
	runMatchCases(t, []matchCase{
		{"and of parenthesised", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, compoundEvent, true},
		{"or of failing and", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, compoundEvent, false},
		{"and binds tighter than or", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, compoundEvent, true},
		{"parentheses override", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, compoundEvent, false},
		{"nested arrays", `{ $.coordinates[1][2] = 6 }`, compoundEvent, true},
		{"nested parentheses", `{ ((($.user.id = 1))) }`, compoundEvent, true},
		{"not a JSON event", `{ $.user.id = 1 }`, `user id 1`, false},
		{"JSON array event", `{ $.user.id = 1 }`, `[{"user":{"id":1}}]`, false},
		{"trailing data after the object", `{ $.user.id = 1 }`, `{"user":{"id":1}} extra`, false},
	})
}

// cisVariants are the CIS root-usage metric filter as people write it.
var cisVariants = map[string]string{
	"quoted (Security Hub)":   `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`,
	"unquoted (CIS v7.0)":     `{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }`,
	"parenthesised compact":   `{($.userIdentity.type="Root")&&($.userIdentity.invokedBy NOT EXISTS)&&($.eventType!="AwsServiceEvent")}`,
	"reordered":               `{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" }`,
	"extra spaces and breaks": "  {\n\t$.userIdentity.type   =   \"Root\"\n\t&&   $.userIdentity.invokedBy   NOT   EXISTS\n\t&& $.eventType  !=  \"AwsServiceEvent\"\n}  ",
}

func TestCISRootFilterVariants(t *testing.T) {
	t.Parallel()
	events := map[string]struct {
		event string
		want  bool
	}{
		"root api call":             {`{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"eventType":"AwsApiCall","eventName":"ListBuckets"}`, true},
		"root console sign-in":      {`{"userIdentity":{"type":"Root"},"eventType":"AwsConsoleSignIn","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"}}`, true},
		"root invoked by a service": {`{"userIdentity":{"type":"Root","invokedBy":"cloudformation.amazonaws.com"},"eventType":"AwsApiCall"}`, false},
		"root invoked by null":      {`{"userIdentity":{"type":"Root","invokedBy":null},"eventType":"AwsApiCall"}`, false},
		"service event":             {`{"userIdentity":{"type":"Root"},"eventType":"AwsServiceEvent"}`, false},
		"root without eventType":    {`{"userIdentity":{"type":"Root"},"eventName":"GetCallerIdentity"}`, false},
		"iam user named root":       {`{"userIdentity":{"type":"IAMUser","userName":"root"},"eventType":"AwsApiCall"}`, false},
		"lower-case root type":      {`{"userIdentity":{"type":"root"},"eventType":"AwsApiCall"}`, false},
	}
	for vname, pattern := range cisVariants {
		f, err := logfilter.Parse(pattern)
		if err != nil {
			t.Fatalf("Parse(%s): %v", vname, err)
		}
		for ename, ev := range events {
			t.Run(vname+"/"+ename, func(t *testing.T) {
				t.Parallel()
				if got := f.Match([]byte(ev.event)); got != ev.want {
					t.Errorf("Match = %v, want %v", got, ev.want)
				}
			})
		}
	}
}

func TestMatchTerms(t *testing.T) {
	t.Parallel()
	const (
		fatal   = "[ERROR] A fatal exception has occurred"
		exiting = "Exiting with ERRORCODE: -1"
		both    = "ERROR WARN message"
		errOnly = "ERROR message"
		warn    = "WARN message"
	)
	runMatchCases(t, []matchCase{
		{"empty pattern matches all", ``, warn, true},
		{"empty quotes match all", `""`, warn, true},
		{"single term", `ERROR`, fatal, true},
		{"single term inside a word", `ERROR`, exiting, true},
		{"quoted single term", `"ERROR"`, exiting, true},
		{"exclusion with a space", `"ERROR" - "Exiting"`, exiting, false},
		{"exclusion keeps others", `"ERROR" - "Exiting"`, fatal, true},
		{"two terms both present", `ERROR Exception`, "[ERROR] Caught IllegalArgumentException", true},
		{"two terms one missing", `ERROR Exception`, fatal, false},
		{"or terms first", `?ERROR ?WARN`, errOnly, true},
		{"or terms second", `?ERROR ?WARN`, warn, true},
		{"or terms none", `?ERROR ?WARN`, "INFO message", false},
		{"and terms", `ERROR WARN`, both, true},
		{"and terms partial", `ERROR WARN`, errOnly, false},
		{"term and exclusion", `ERROR -WARN`, errOnly, true},
		{"term and exclusion excluded", `ERROR -WARN`, both, false},
		{"exact phrase", `"Failed to process the request"`, "[WARN] Failed to process the request", true},
		{"exact phrase out of order", `"process the Failed"`, "[WARN] Failed to process the request", false},
		{"case sensitive", `error`, errOnly, false},
		{"regular expression term", `%ERR(OR|ATA)%`, errOnly, true},
	})
}

func TestMatchSpaceDelimited(t *testing.T) {
	t.Parallel()
	const (
		l1 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
		l2 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
		l3 = `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 934`
	)
	all7 := `[ip, user, username, timestamp, request, status_code, bytes]`
	runMatchCases(t, []matchCase{
		{"seven named fields", all7, l1, true},
		{"numeric condition true", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, l2, true},
		{"numeric condition false", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, l3, false},
		{"string equality", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, l1, true},
		{"string equality false", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, l2, false},
		{"wildcard", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, l3, true},
		{"wildcards both ends", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, l3, true},
		{"wildcards both ends false", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, l1, false},
		{"and in a field", `[ip, user, username, timestamp, request, status_code = 5* && status_code != 503, bytes]`, l2, true},
		{"or in a field", `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, l3, true},
		{"leading ellipsis", `[..., status_code, bytes]`, l1, true},
		{"middle ellipsis", `[ip, user, ..., status_code = 500, bytes]`, l2, true},
		{"trailing ellipsis", `[ip, user, ...]`, l1, true},
		{"trailing comma", `[..., request = *.html*, status_code = 4*,]`, l3, false},
		{"too few fields", `[ip, user]`, l1, false},
		{"w1 first word", `[w1=ERROR, w2]`, "ERROR message", true},
		{"w1 three words", `[w1=ERROR, w2]`, "ERROR WARN message", false},
		{"w1 or", `[w1=ERROR || w1=WARN, w2]`, "WARN message", true},
		{"w1 and not", `[w1!=ERROR && w1!=WARN, w2]`, "INFO message", true},
	})
}

func TestKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    logfilter.Kind
	}{
		{``, logfilter.KindAll},
		{`  `, logfilter.KindAll},
		{`{ $.a = 1 }`, logfilter.KindJSON},
		{`[a, b]`, logfilter.KindSpaceDelimited},
		{`ERROR`, logfilter.KindTerms},
	}
	for _, tc := range tests {
		t.Run(tc.want.String()+"/"+tc.pattern, func(t *testing.T) {
			t.Parallel()
			f, err := logfilter.Parse(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind() != tc.want {
				t.Errorf("Kind() = %v, want %v", f.Kind(), tc.want)
			}
			if f.String() != tc.pattern {
				t.Errorf("String() = %q, want %q", f.String(), tc.pattern)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		offset  int
		msg     string // a fragment of the message
	}{
		{"missing value", `{ $.a = }`, 8, "expected a value"},
		{"missing operator", `{ $.a }`, 6, "expected an operator"},
		{"bad IS", `{ $.a IS MAYBE }`, 9, "after IS"},
		{"bad NOT", `{ $.a NOT THERE }`, 10, "after NOT"},
		{"EXISTS is not an operator", `{ $.a EXISTS }`, 6, `unknown operator "EXISTS"`},
		{"selector without $", `{ a = 1 }`, 2, "selector starting with $"},
		{"bare $", `{ $ = 1 }`, 2, "names no property"},
		{"relational on a string", `{ $.a < abc }`, 6, "needs a number"},
		{"missing close paren", `{ ($.a = 1 }`, 11, "missing )"},
		{"missing close brace", `{ $.a = 1 `, 10, "must end with }"},
		{"unterminated string", `{ $.a = "x }`, 8, "unterminated quoted string"},
		{"bad index", `{ $.a[x] = 1 }`, 5, "array index"},
		{"two conditions without operator", `{ $.a = 1 $.b = 2 }`, 10, "unexpected"},
		{"bad regular expression", `{ $.a = %[% }`, 8, "bad regular expression"},
		{"empty JSON pattern", `{ }`, 2, "empty JSON pattern"},
		{"dangling and", `{ $.a = 1 && }`, 13, "expected a condition"},
		{"empty property name", `{ $.a. = 1 }`, 6, "property name"},
		{"space-delimited missing comma", `[a b]`, 3, "expected , between fields"},
		{"space-delimited relational on a string", `[a > b]`, 3, "needs a number"},
		{"space-delimited unclosed", `[a, b`, 5, "must end with ]"},
		{"dangling minus", `ERROR -`, 7, "expected a term"},
		{"unterminated phrase", `"ERROR`, 0, "unterminated quoted string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := logfilter.Parse(tc.pattern)
			var se *logfilter.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tc.pattern, err)
			}
			if se.Offset != tc.offset {
				t.Errorf("Parse(%q) offset = %d, want %d (%v)", tc.pattern, se.Offset, tc.offset, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse(%q) error = %q, want it to mention %q", tc.pattern, err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid pattern did not panic")
		}
	}()
	logfilter.MustParse(`{ $.a = }`)
}

func TestMatchIsDeterministic(t *testing.T) {
	t.Parallel()
	f := logfilter.MustParse(cisVariants["quoted (Security Hub)"])
	ev := []byte(`{"userIdentity":{"type":"Root"},"eventType":"AwsApiCall"}`)
	var got []bool
	for range 3 {
		got = append(got, f.Match(ev))
	}
	if diff := cmp.Diff([]bool{true, true, true}, got); diff != "" {
		t.Errorf("repeated Match (-want +got):\n%s", diff)
	}
}
