package jsonstrict_test

import (
	"encoding/json"
	"testing"

	"github.com/rootguard/rootguard/internal/jsonstrict"
)

// FuzzUnmarshal checks that no input panics Unmarshal, that what it accepts
// encoding/json accepts too with the same value, and that a key check never
// refuses what encoding/json re-encodes from an accepted value.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","items":[{"id":"1"}],"tags":{"x":true}}`,
		`{"name":"a","name":"b"}`,
		`{"name":"a","Name":"b"}`,
		`{"items":[{"id":"1","id":"2"}]}`,
		`{"tags":{"x":true},"tags":{}}`,
		`[[[{"a":{"a":{"a":1}}}]]]`,
		`{"name":"a"} {}`,
		`{"extra":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict doc
		if jsonstrict.Unmarshal(data, &strict) != nil {
			return
		}
		var loose doc
		if err := json.Unmarshal(data, &loose); err != nil {
			t.Fatalf("strict accepted what encoding/json refuses: %v", err)
		}
		enc, err := json.Marshal(strict)
		if err != nil {
			t.Fatal(err)
		}
		if err := jsonstrict.CheckKeys(enc); err != nil {
			t.Fatalf("CheckKeys refuses an encoded value: %v\n%s", err, enc)
		}
	})
}
