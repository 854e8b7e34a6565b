package eventpattern_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/pattern/eventpattern"
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
			p, err := eventpattern.Parse([]byte(tc.pattern))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tc.pattern, err)
			}
			if got := p.Match([]byte(tc.event)); got != tc.want {
				t.Errorf("Parse(%s).Match(%s) = %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

// ec2Event is the sample event of the event-ruler README and the
// EventBridge content-filtering documentation.
const ec2Event = `{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running",
    "empty": "",
    "nothing": null,
    "flag": true,
    "tags": ["prod", "web"],
    "nested": {"c1": 100}
  }
}`

func TestMatchExactValues(t *testing.T) {
	t.Parallel()
	runMatchCases(t, []matchCase{
		{"simple", `{"detail-type":["EC2 Instance State-change Notification"],"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],"detail":{"state":["initializing","running"]}}`, ec2Event, true},
		{"value not in list", `{"detail":{"state":["stopped","pending"]}}`, ec2Event, false},
		{"case matters", `{"source":["AWS.EC2"]}`, ec2Event, false},
		{"missing field", `{"detail":{"absent":["x"]}}`, ec2Event, false},
		{"missing parent", `{"nope":{"absent":["x"]}}`, ec2Event, false},
		{"number", `{"detail":{"c-count":[5]}}`, ec2Event, true},
		{"5.0 matches 5", `{"detail":{"c-count":[5.0]}}`, ec2Event, true},
		{"5e0 matches 5", `{"detail":{"c-count":[5e0]}}`, ec2Event, true},
		{"3.018e2 matches 301.8", `{"detail":{"x-limit":[3.018e2]}}`, ec2Event, true},
		{"number does not match a string", `{"detail":{"state":[5]}}`, ec2Event, false},
		{"string does not match a number", `{"detail":{"c-count":["5"]}}`, ec2Event, false},
		{"account id as a string", `{"account":["012345679012"]}`, ec2Event, true},
		{"account id as a number does not match the string", `{"account":[12345679012]}`, ec2Event, false},
		{"true", `{"detail":{"flag":[true]}}`, ec2Event, true},
		{"false", `{"detail":{"flag":[false]}}`, ec2Event, false},
		{"string true is not true", `{"detail":{"flag":["true"]}}`, ec2Event, false},
		{"null", `{"detail":{"nothing":[null]}}`, ec2Event, true},
		{"null does not match empty", `{"detail":{"empty":[null]}}`, ec2Event, false},
		{"empty string", `{"detail":{"empty":[""]}}`, ec2Event, true},
		{"empty string does not match null", `{"detail":{"nothing":[""]}}`, ec2Event, false},
		{"null does not match missing", `{"detail":{"absent":[null]}}`, ec2Event, false},
		{"event array intersects", `{"detail":{"tags":["web","db"]}}`, ec2Event, true},
		{"event array disjoint", `{"detail":{"tags":["db"]}}`, ec2Event, false},
		{"ip string matches another spelling", `{"detail":{"source-ip":["10.0.0.33"]}}`, ec2Event, true},
		{"leaf pattern on an object field", `{"detail":{"nested":["x"]}}`, ec2Event, false},
		{"nested pattern on a leaf field", `{"detail":{"state":{"x":["y"]}}}`, ec2Event, false},
		{"not a JSON object event", `{"source":["aws.ec2"]}`, `["aws.ec2"]`, false},
		{"invalid JSON event", `{"source":["aws.ec2"]}`, `{"source":`, false},
	})
}

func TestMatchStringOperators(t *testing.T) {
	t.Parallel()
	ev := `{"time":"2017-10-02T18:43:48Z","service":"EventBridge","FileName":"photo.PNG","FilePath":"/usr/lib/x.so","n":5,"s":"Simple Notification Service","star":"a*b","nothing":null}`
	runMatchCases(t, []matchCase{
		{"prefix", `{"time":[{"prefix":"2017-10-02"}]}`, ev, true},
		{"prefix miss", `{"time":[{"prefix":"2017-10-03"}]}`, ev, false},
		{"prefix is case sensitive", `{"service":[{"prefix":"eventb"}]}`, ev, false},
		{"prefix ignore case", `{"service":[{"prefix":{"equals-ignore-case":"eventb"}}]}`, ev, true},
		{"prefix on a number", `{"n":[{"prefix":"5"}]}`, ev, false},
		{"empty prefix matches any string", `{"service":[{"prefix":""}]}`, ev, true},
		{"suffix", `{"FileName":[{"suffix":".PNG"}]}`, ev, true},
		{"suffix is case sensitive", `{"FileName":[{"suffix":".png"}]}`, ev, false},
		{"suffix ignore case", `{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}`, ev, true},
		{"equals-ignore-case", `{"service":[{"equals-ignore-case":"EVENTBRIDGE"}]}`, ev, true},
		{"equals-ignore-case miss", `{"service":[{"equals-ignore-case":"EVENTBRIDGES"}]}`, ev, false},
		{"equals-ignore-case on null", `{"nothing":[{"equals-ignore-case":"null"}]}`, ev, false},
		{"wildcard", `{"s":[{"wildcard":"Simple*Service"}]}`, ev, true},
		{"wildcard several stars", `{"FilePath":[{"wildcard":"*/lib/*.so"}]}`, ev, true},
		{"wildcard miss", `{"FilePath":[{"wildcard":"*/bin/*"}]}`, ev, false},
		{"wildcard lone star", `{"s":[{"wildcard":"*"}]}`, ev, true},
		{"wildcard no star is exact", `{"s":[{"wildcard":"Simple"}]}`, ev, false},
		{"wildcard escaped star", `{"star":[{"wildcard":"a\\*b"}]}`, ev, true},
		{"wildcard escaped star is literal", `{"s":[{"wildcard":"Simple\\*"}]}`, ev, false},
		{"wildcard on a number", `{"n":[{"wildcard":"*"}]}`, ev, false},
		{"several operators OR", `{"service":[{"prefix":"X"},{"suffix":"Bridge"}]}`, ev, true},
	})
}

func TestMatchAnythingBut(t *testing.T) {
	t.Parallel()
	ev := `{"detail":{"state":"running","x-limit":301.8,"n":5,"Region":"us-east-1","FileName":"a.png","FilePath":"/usr/lib/x","tags":["prod","web"],"one":["prod"],"nothing":null,"obj":{"a":1}}}`
	runMatchCases(t, []matchCase{
		{"string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, ev, true},
		{"string equal", `{"detail":{"state":[{"anything-but":"running"}]}}`, ev, false},
		{"number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, ev, true},
		{"number equal", `{"detail":{"x-limit":[{"anything-but":301.8}]}}`, ev, false},
		{"number 5.0 equals 5", `{"detail":{"n":[{"anything-but":5.0}]}}`, ev, false},
		{"string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, ev, true},
		{"string list hit", `{"detail":{"state":[{"anything-but":["stopped","running"]}]}}`, ev, false},
		{"number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, ev, true},
		{"prefix", `{"detail":{"Region":[{"anything-but":{"prefix":"eu-"}}]}}`, ev, true},
		{"prefix hit", `{"detail":{"Region":[{"anything-but":{"prefix":"us-"}}]}}`, ev, false},
		{"suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".png"}}]}}`, ev, false},
		{"suffix miss", `{"detail":{"FileName":[{"anything-but":{"suffix":".jpg"}}]}}`, ev, true},
		{"ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"RUNNING"}}]}}`, ev, false},
		{"ignore case list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["STOPPED","PENDING"]}}]}}`, ev, true},
		{"wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, ev, false},
		{"wildcard list", `{"detail":{"FilePath":[{"anything-but":{"wildcard":["*/bin/*","*/sbin/*"]}}]}}`, ev, true},
		{"missing field does not match", `{"detail":{"absent":[{"anything-but":"x"}]}}`, ev, false},
		{"missing parent does not match", `{"nope":{"absent":[{"anything-but":"x"}]}}`, ev, false},
		{"object field does not match", `{"detail":{"obj":[{"anything-but":"x"}]}}`, ev, false},
		{"null matches a string anything-but", `{"detail":{"nothing":[{"anything-but":"x"}]}}`, ev, true},
		{"null does not match an operator anything-but", `{"detail":{"nothing":[{"anything-but":{"prefix":"x"}}]}}`, ev, false},
		{"array with another element matches", `{"detail":{"tags":[{"anything-but":"prod"}]}}`, ev, true},
		{"array with only excluded elements", `{"detail":{"one":[{"anything-but":"prod"}]}}`, ev, false},
	})
}

func TestMatchNumeric(t *testing.T) {
	t.Parallel()
	ev := `{"detail":{"c-count":5,"d-count":3,"x-limit":301.8,"neg":-2.5,"text":"5","list":[1,50]}}`
	runMatchCases(t, []matchCase{
		{"documented range", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, ev, true},
		{"open top excludes", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, ev, false},
		{"greater or equal", `{"detail":{"c-count":[{"numeric":[">=",5]}]}}`, ev, true},
		{"greater", `{"detail":{"c-count":[{"numeric":[">",5]}]}}`, ev, false},
		{"less or equal", `{"detail":{"d-count":[{"numeric":["<=",3]}]}}`, ev, true},
		{"equals 5.0", `{"detail":{"c-count":[{"numeric":["=",5.0]}]}}`, ev, true},
		{"negative", `{"detail":{"neg":[{"numeric":["<",0]}]}}`, ev, true},
		{"string is not numeric", `{"detail":{"text":[{"numeric":["=",5]}]}}`, ev, false},
		{"missing", `{"detail":{"absent":[{"numeric":[">",0]}]}}`, ev, false},
		{"array element in range", `{"detail":{"list":[{"numeric":[">",10,"<",100]}]}}`, ev, true},
	})
}

func TestMatchCIDR(t *testing.T) {
	t.Parallel()
	ev := `{"detail":{"v4":"10.0.0.33","v6":"2001:db8::1","mapped":"::ffff:10.0.0.7","bad":"not-an-ip","n":10}}`
	runMatchCases(t, []matchCase{
		{"ipv4 inside", `{"detail":{"v4":[{"cidr":"10.0.0.0/24"}]}}`, ev, true},
		{"ipv4 outside", `{"detail":{"v4":[{"cidr":"10.0.1.0/24"}]}}`, ev, false},
		{"ipv6 inside", `{"detail":{"v6":[{"cidr":"2001:db8::/32"}]}}`, ev, true},
		{"ipv6 outside", `{"detail":{"v6":[{"cidr":"2001:db9::/32"}]}}`, ev, false},
		{"ipv4-mapped ipv6", `{"detail":{"mapped":[{"cidr":"10.0.0.0/8"}]}}`, ev, true},
		{"not an ip", `{"detail":{"bad":[{"cidr":"10.0.0.0/8"}]}}`, ev, false},
		{"a number", `{"detail":{"n":[{"cidr":"10.0.0.0/8"}]}}`, ev, false},
		{"host bits set in the block", `{"detail":{"v4":[{"cidr":"10.0.0.1/24"}]}}`, ev, true},
	})
}

func TestMatchExists(t *testing.T) {
	t.Parallel()
	ev := `{"detail":{"state":"pending","nothing":null,"c-count":{"c1":100},"empty":[],"list":[1]}}`
	runMatchCases(t, []matchCase{
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, ev, true},
		{"exists false on present", `{"detail":{"state":[{"exists":false}]}}`, ev, false},
		{"exists false on missing", `{"detail":{"absent":[{"exists":false}]}}`, ev, true},
		{"exists true on missing", `{"detail":{"absent":[{"exists":true}]}}`, ev, false},
		{"exists true on null", `{"detail":{"nothing":[{"exists":true}]}}`, ev, true},
		{"exists false on an intermediate node", `{"detail":{"c-count":[{"exists":false}]}}`, ev, true},
		{"exists true on an intermediate node", `{"detail":{"c-count":[{"exists":true}]}}`, ev, false},
		{"exists false on an empty array", `{"detail":{"empty":[{"exists":false}]}}`, ev, true},
		{"exists true on a non-empty array", `{"detail":{"list":[{"exists":true}]}}`, ev, true},
		{"exists false under a missing parent", `{"nope":{"absent":[{"exists":false}]}}`, ev, true},
		{"exists false or a value", `{"detail":{"state":[{"exists":false},"pending"]}}`, ev, true},
	})
}

func TestMatchOr(t *testing.T) {
	t.Parallel()
	ev := `{"source":"aws.cloudwatch","detail":{"metricName":"Other","namespace":"AWS/EC2","scope":"Service"}}`
	runMatchCases(t, []matchCase{
		{"or at top level", `{"source":["aws.cloudwatch"],"$or":[{"detail":{"metricName":["CPUUtilization"]}},{"detail":{"namespace":["AWS/EC2"]}}]}`, ev, true},
		{"or none", `{"$or":[{"detail":{"metricName":["CPUUtilization"]}},{"detail":{"namespace":["AWS/ES"]}}]}`, ev, false},
		{"or nested", `{"detail":{"$or":[{"metricName":["CPUUtilization"]},{"scope":["Service"]}]}}`, ev, true},
		{"or ANDs with siblings", `{"source":["aws.ec2"],"detail":{"$or":[{"metricName":["Other"]},{"scope":["Service"]}]}}`, ev, false},
		{"or alternative with an and", `{"detail":{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"],"scope":["Service"]}]}}`, ev, true},
		{"or alternative with a failing and", `{"detail":{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"],"scope":["Global"]}]}}`, ev, false},
		{"nested or", `{"detail":{"$or":[{"metricName":["X"]},{"namespace":["AWS/EC2"],"$or":[{"scope":["Y"]},{"scope":["Service"]}]}]}}`, ev, true},
	})
}

func TestMatchArraysOfObjects(t *testing.T) {
	t.Parallel()
	ev := `{"employees":[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"},{"firstName":"Peter","lastName":"Jones"}],"nested":[[{"a":"x"}],[{"a":"y"}]],"scalars":["a","b"]}`
	runMatchCases(t, []matchCase{
		{"any element", `{"employees":{"firstName":["Anna"]}}`, ev, true},
		{"fields of one element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, ev, true},
		{"fields of different elements do not match", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, ev, false},
		{"nested arrays flatten", `{"nested":{"a":["y"]}}`, ev, true},
		{"exists false in some element", `{"employees":{"middleName":[{"exists":false}]}}`, ev, true},
		{"object pattern on scalar array", `{"scalars":{"a":["x"]}}`, ev, false},
	})
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		path    string
		msg     string
	}{
		{"not JSON", `{"source":`, "", "invalid JSON"},
		{"trailing data", `{"source":["a"]} x`, "", "invalid JSON"},
		{"not an object", `["aws.ec2"]`, "", "must be a JSON object"},
		{"empty pattern", `{}`, "", "empty objects are not allowed"},
		{"empty nested object", `{"detail":{}}`, "detail", "empty objects are not allowed"},
		{"empty array", `{"source":[]}`, "source", "empty arrays are not allowed"},
		{"scalar field", `{"source":"aws.ec2"}`, "source", "must be an object or an array"},
		{"array in array", `{"source":[["a"]]}`, "source[0]", "match value must be"},
		{"unknown operator", `{"source":[{"contains":"ec2"}]}`, "source[0]", `unrecognized match type "contains"`},
		{"two keys", `{"source":[{"prefix":"a","suffix":"b"}]}`, "source[0]", "only one key"},
		{"empty operator", `{"source":[{}]}`, "source[0]", "empty operator object"},
		{"prefix number", `{"source":[{"prefix":5}]}`, "source[0].prefix", "must be a string"},
		{"prefix bad qualifier", `{"source":[{"prefix":{"wildcard":"a"}}]}`, "source[0].prefix", "only equals-ignore-case"},
		{"numeric not array", `{"n":[{"numeric":5}]}`, "n[0].numeric", "must be an array"},
		{"numeric bad operator", `{"n":[{"numeric":["!=",5]}]}`, "n[0].numeric[0]", "unrecognized numeric operator"},
		{"numeric string value", `{"n":[{"numeric":[">","5"]}]}`, "n[0].numeric[1]", "must be numeric"},
		{"numeric three elements", `{"n":[{"numeric":[">",5,"<"]}]}`, "n[0].numeric", "got 3 elements"},
		{"numeric range reversed", `{"n":[{"numeric":["<",5,">",1]}]}`, "n[0].numeric", "starts with > or >="},
		{"numeric empty range", `{"n":[{"numeric":[">",5,"<",5]}]}`, "n[0].numeric", "must be less than"},
		{"numeric equality range", `{"n":[{"numeric":["=",5,"<",6]}]}`, "n[0].numeric", "starts with > or >="},
		{"exists string", `{"n":[{"exists":"true"}]}`, "n[0].exists", "true or false"},
		{"cidr bad", `{"ip":[{"cidr":"10.0.0.0"}]}`, "ip[0].cidr", "not a CIDR block"},
		{"wildcard double star", `{"s":[{"wildcard":"a**b"}]}`, "s[0].wildcard", "consecutive wildcard"},
		{"wildcard bad escape", `{"s":[{"wildcard":"a\\b"}]}`, "s[0].wildcard", "backslash"},
		{"anything-but mixed list", `{"s":[{"anything-but":["a",1]}]}`, "s[0].anything-but", "all strings or all numbers"},
		{"anything-but empty list", `{"s":[{"anything-but":[]}]}`, "s[0].anything-but", "empty arrays"},
		{"anything-but boolean", `{"s":[{"anything-but":true}]}`, "s[0].anything-but", "must be a string"},
		{"anything-but null in list", `{"s":[{"anything-but":[null]}]}`, "s[0].anything-but[0]", "strings or numbers"},
		{"anything-but empty prefix", `{"s":[{"anything-but":{"prefix":""}}]}`, "s[0].anything-but.prefix", "empty prefix"},
		{"anything-but numeric", `{"s":[{"anything-but":{"numeric":[">",1]}}]}`, "s[0].anything-but", "unsupported anything-but operator"},
		{"or with one object", `{"$or":[{"a":["b"]}]}`, "$or", "at least 2 objects"},
		{"or not an array", `{"$or":{"a":["b"]}}`, "$or", "must be an array"},
		{"or with a scalar", `{"$or":[{"a":["b"]},"c"]}`, "$or[1]", "only objects"},
		{"or with empty object", `{"$or":[{"a":["b"]},{}]}`, "$or[1]", "empty objects"},
		{"operator name in or", `{"$or":[{"a":["b"]},{"prefix":["c"]}]}`, "$or[1].prefix", "operator name"},
		{"huge number", `{"n":[1e999]}`, "n[0]", "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := eventpattern.Parse([]byte(tc.pattern))
			var pe *eventpattern.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%s) error = %v, want *eventpattern.Error", tc.pattern, err)
			}
			if pe.Path != tc.path {
				t.Errorf("Parse(%s) path = %q, want %q (%v)", tc.pattern, pe.Path, tc.path, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse(%s) error = %q, want it to mention %q", tc.pattern, err, tc.msg)
			}
		})
	}
}

func TestParseSyntaxErrorOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		offset  int64
	}{
		{"bad value", `{"source": [x]}`, 12},
		{"trailing data", `{"source": ["a"]}   x`, 20},
		{"empty input", ``, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := eventpattern.Parse([]byte(tc.pattern))
			var pe *eventpattern.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want *eventpattern.Error", err)
			}
			if pe.Offset != tc.offset {
				t.Errorf("offset = %d, want %d (%v)", pe.Offset, tc.offset, err)
			}
		})
	}
}

func TestDuplicateKeyLastWins(t *testing.T) {
	t.Parallel()
	// Documented: "if you include a key more than once the last reference
	// will be the one used to evaluate events".
	p := eventpattern.MustParse(`{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}`)
	got := []bool{
		p.Match([]byte(`{"detail":{"location":"eu-west"}}`)),
		p.Match([]byte(`{"detail":{"location":"us-east"}}`)),
	}
	if diff := cmp.Diff([]bool{true, false}, got); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
}

func TestMustParsePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid pattern did not panic")
		}
	}()
	eventpattern.MustParse(`{}`)
}

func TestString(t *testing.T) {
	t.Parallel()
	const src = `{"source": ["aws.signin"]}`
	if got := eventpattern.MustParse(src).String(); got != src {
		t.Errorf("String() = %q, want %q", got, src)
	}
}
