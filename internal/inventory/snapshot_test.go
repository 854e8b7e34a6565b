package inventory_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rootguard/rootguard/internal/filelimit"
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
		{file: "no-accounts.json", wantErr: "no accounts"},
		{file: "accounts-missing.json", wantErr: "no accounts"},
		{file: "null-account.json", wantErr: `accounts[0]: ID "" is not a 12-digit account ID`},
		{file: "short-account-id.json", wantErr: `accounts[0]: ID "11111111111" is not a 12-digit account ID`},
		{file: "duplicate-account.json", wantErr: "accounts[1]: account 111111111111 appears twice"},
		{file: "unknown-field.json", wantErr: `unknown field "root_keys_reviewed"`},
		{file: "duplicate-key.json", wantErr: `duplicate key "access_keys" in $.accounts[].root`},
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

// TestLoadTooLarge: a snapshot over the size limit is refused before it is
// read whole (the file is sparse, so the test costs no disk).
func TestLoadTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "huge.json")
	if err := errors.Join(os.WriteFile(path, nil, 0o600), os.Truncate(path, filelimit.Document+1)); err != nil {
		t.Fatal(err)
	}
	_, err := inventory.Load(path)
	if !errors.Is(err, filelimit.ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load of a file over the limit: %v; want a too-large error naming %s", err, path)
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

// TestEventRuleTargetRoles: a rule from an older snapshot, without
// target_roles, decodes with no roles known (nil), and a target without a
// role ("") survives a round trip as known to have none.
func TestEventRuleTargetRoles(t *testing.T) {
	t.Parallel()
	const bus = "arn:aws:events:us-east-1:111111111111:event-bus/default"
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"older snapshot", `{"name": "fwd", "region": "us-east-1", "state": "ENABLED", "targets": ["` + bus + `"]}`, nil},
		{"no role", `{"name": "fwd", "region": "us-east-1", "state": "ENABLED", "targets": ["` + bus + `"], "target_roles": {"` + bus + `": ""}}`,
			map[string]string{bus: ""}},
		{"a role", `{"name": "fwd", "region": "us-east-1", "state": "ENABLED", "targets": ["` + bus + `"], "target_roles": {"` + bus + `": "arn:aws:iam::222222222222:role/fwd"}}`,
			map[string]string{bus: "arn:aws:iam::222222222222:role/fwd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r inventory.EventRule
			if err := json.Unmarshal([]byte(tt.in), &r); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, r.TargetRoles); diff != "" {
				t.Errorf("decoded roles (-want +got):\n%s", diff)
			}
			data, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var again inventory.EventRule
			if err := json.Unmarshal(data, &again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r, again); diff != "" {
				t.Errorf("after a round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSnapshotRegions: a snapshot written before Regions were recorded
// decodes with nil (not recorded); a recorded list survives a round trip.
func TestSnapshotRegions(t *testing.T) {
	t.Parallel()
	const head = `{"schema": "` + inventory.Schema + `", "mode": "standalone", "accounts": [{"id": "111111111111"}]`
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"older snapshot", head + `}`, nil},
		{"one Region", head + `, "regions": ["us-east-1"]}`, []string{"us-east-1"}},
		{"two Regions", head + `, "regions": ["eu-west-1", "us-east-1"]}`, []string{"eu-west-1", "us-east-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := inventory.Decode(tt.name, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.Regions); diff != "" {
				t.Errorf("decoded Regions (-want +got):\n%s", diff)
			}
			data, err := s.Encode()
			if err != nil {
				t.Fatal(err)
			}
			again, err := inventory.Decode("re-encoded", data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(s.Regions, again.Regions); diff != "" {
				t.Errorf("after a round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSnapshotSchemas: a v1 snapshot still loads, its topics without
// attributes (not collected); a v2 topic's attributes survive; a v3 topic
// under a customer managed key loads without its key (not collected), a
// v4 topic with it; another schema is refused, naming the ones supported.
func TestSnapshotSchemas(t *testing.T) {
	t.Parallel()
	topics := func(schema, topic string) string {
		return `{"schema": "` + schema + `", "mode": "standalone", "accounts": [{"id": "111111111111", "detective": {"topics": {"value": [` + topic +
			`], "source": {"api": "sns:ListTopics", "at": "2026-05-31T12:00:00Z"}}}}]}`
	}
	const bare = `{"arn": "arn:aws:sns:us-east-1:111111111111:t", "subscriptions": []}`
	const withAttrs = `{"arn": "arn:aws:sns:us-east-1:111111111111:t", "subscriptions": [], "attributes": {"value": {"policy": "{}", "kms_master_key_id": "alias/aws/sns"}, "source": {"api": "sns:GetTopicAttributes", "at": "2026-05-31T12:00:00Z"}}}`
	const cmk = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	const cmkTopic = `{"arn": "arn:aws:sns:us-east-1:111111111111:t", "subscriptions": [], "attributes": {"value": {"policy": "{}", "kms_master_key_id": "` + cmk + `"}, "source": {"api": "sns:GetTopicAttributes", "at": "2026-05-31T12:00:00Z"}}`
	const withCMK = cmkTopic + `}`
	const withKey = cmkTopic + `, "key": {"value": {"arn": "` + cmk + `", "manager": "CUSTOMER", "policy": "{}"}, "source": {"api": "kms:GetKeyPolicy", "at": "2026-05-31T12:00:00Z"}}}`
	cmkAttrs := &inventory.Fact[inventory.TopicAttributes]{
		Value:  inventory.TopicAttributes{Policy: "{}", KMSMasterKeyID: cmk},
		Source: inventory.Source{API: "sns:GetTopicAttributes", At: time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)}}
	tests := []struct {
		name, in string
		want     *inventory.Fact[inventory.TopicAttributes]
		err      string
	}{
		{"v1 topic", topics("rootguard.snapshot/v1", bare), nil, ""},
		{"v2 topic not read", topics("rootguard.snapshot/v2", bare), nil, ""},
		{"v2 topic", topics("rootguard.snapshot/v2", withAttrs), &inventory.Fact[inventory.TopicAttributes]{
			Value:  inventory.TopicAttributes{Policy: "{}", KMSMasterKeyID: "alias/aws/sns"},
			Source: inventory.Source{API: "sns:GetTopicAttributes", At: time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)}}, ""},
		{"v3 topic", topics("rootguard.snapshot/v3", bare), nil, ""},
		{"v3 topic without its key", topics("rootguard.snapshot/v3", withCMK), cmkAttrs, ""},
		{"v4 topic", topics(inventory.Schema, withKey), cmkAttrs, ""},
		{"v5", topics("rootguard.snapshot/v5", bare), nil, `schema "rootguard.snapshot/v5" is not supported (want one of rootguard.snapshot/v1, rootguard.snapshot/v2, rootguard.snapshot/v3, rootguard.snapshot/v4)`},
	}
	wantKey := map[string]*inventory.Fact[inventory.TopicKey]{"v4 topic": {
		Value:  inventory.TopicKey{ARN: cmk, Manager: "CUSTOMER", Policy: "{}"},
		Source: inventory.Source{API: "kms:GetKeyPolicy", At: time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)}}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := inventory.Decode(tt.name, []byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.Accounts[0].Detective.Topics.Value[0].Attributes); diff != "" {
				t.Errorf("topic attributes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantKey[tt.name], s.Accounts[0].Detective.Topics.Value[0].Key); diff != "" {
				t.Errorf("topic key (-want +got):\n%s", diff)
			}
		})
	}
}
