package jsonstrict_test

import (
	"strings"
	"testing"

	"github.com/rootguard/rootguard/internal/jsonstrict"
)

type doc struct {
	Name  string          `json:"name"`
	Items []item          `json:"items"`
	Tags  map[string]bool `json:"tags"`
}

type item struct {
	ID string `json:"id"`
}

func TestUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"valid", `{"name":"a","items":[{"id":"1"},{"id":"2"}],"tags":{"x":true,"y":false}}`, ""},
		{"same key in sibling objects", `{"items":[{"id":"1"},{"id":"1"}]}`, ""},
		{"same key at two depths", `{"name":"a","tags":{"name":true}}`, ""},
		{"duplicate at the top", `{"name":"a","name":"b"}`, `duplicate key "name" in $`},
		{"duplicate differing in case", `{"name":"a","NAME":"b"}`, `duplicate key "NAME" in $`},
		{"duplicate by Unicode folding", "{\"tags\":{\"k\":true,\"\u212a\":false}}", "duplicate key \"\u212a\" in $.tags"},
		{"duplicate in an array element", `{"items":[{"id":"1"},{"id":"2","id":"3"}]}`, `duplicate key "id" in $.items[]`},
		{"duplicate in a map", `{"tags":{"x":true,"y":true,"x":false}}`, `duplicate key "x" in $.tags`},
		{"duplicate after a nested value", `{"items":[[{}]],"tags":{},"items":[]}`, `duplicate key "items" in $`},
		{"duplicate inside an unknown field", `{"extra":{"a":1,"a":2}}`, `duplicate key "a" in $.extra`},
		{"unknown field", `{"name":"a","extra":1}`, `json: unknown field "extra"`},
		{"trailing document", `{"name":"a"} {"name":"b"}`, "data after the document"},
		{"trailing garbage", `{"name":"a"}]`, "invalid character ']'"},
		{"invalid JSON", `{"name":`, "unexpected EOF"},
		{"empty", ``, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := jsonstrict.Unmarshal([]byte(tc.in), &d)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Unmarshal: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Unmarshal error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
