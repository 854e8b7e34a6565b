package inventory_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/inventory"
)

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		wantErr string
	}{
		{file: "other-schema.json", wantErr: `schema "rootguard.snapshot/v0" is not supported`},
		{file: "truncated.json", wantErr: "not valid JSON"},
		{file: "no-schema.json", wantErr: `no "schema" field`},
		{file: "wrong-type.json", wantErr: "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "snapshot", tt.file)
			_, err := inventory.Load(path)
			if err == nil {
				t.Fatalf("Load(%s) succeeded", path)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file %s", err, path)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
		})
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "snapshot", "minimal.json")
	s, err := inventory.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := s.Account("111111111111")
	if a == nil {
		t.Fatal("account 111111111111 missing")
	}
	if !a.Root.Summary.Known() || a.Contacts.Primary.Known() {
		t.Errorf("Known(): summary %v, primary contact %v; want true, false", a.Root.Summary.Known(), a.Contacts.Primary.Known())
	}
	if got, want := a.Contacts.Primary.Reason(), "account:GetContactInformation failed: AccessDenied: not allowed"; got != want {
		t.Errorf("Reason() = %q, want %q", got, want)
	}
	data, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	again, err := inventory.Decode("re-encoded", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, again); diff != "" {
		t.Errorf("decode, encode, decode (-first +second):\n%s", diff)
	}
}
