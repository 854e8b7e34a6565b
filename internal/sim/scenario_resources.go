package sim

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rootguard/rootguard/internal/policy"
)

// Bucket is an S3 bucket. Bucket names are global: one name, one account.
type Bucket struct {
	Name   string `yaml:"name" json:"name"`
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Created defaults to the scenario clock's now.
	Created Date `yaml:"created,omitempty" json:"created,omitempty"`
	// Policy is the bucket policy, written like Policy.Content; empty means
	// none (GetBucketPolicy answers NoSuchBucketPolicy).
	Policy PolicyDocument `yaml:"policy,omitempty" json:"policy,omitempty"`
}

// Queue is an SQS standard queue in its account and Region.
type Queue struct {
	Name   string `yaml:"name" json:"name"`
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Policy is the queue's access policy, written like Policy.Content;
	// empty means none (the owner account only).
	Policy PolicyDocument `yaml:"policy,omitempty" json:"policy,omitempty"`
	// VisibilityTimeout is in seconds, 0 to 43200 (default 30).
	VisibilityTimeout *int `yaml:"visibility_timeout,omitempty" json:"visibility_timeout,omitempty"`
	// DeadLetterQueue (a queue name of the same account and Region, or a
	// queue ARN) receives a message once it was received MaxReceiveCount
	// times without being deleted.
	DeadLetterQueue string `yaml:"dead_letter_queue,omitempty" json:"dead_letter_queue,omitempty"`
	MaxReceiveCount int    `yaml:"max_receive_count,omitempty" json:"max_receive_count,omitempty"`
}

// Key is a KMS key in its account and Region.
type Key struct {
	// ID is the key ID, a UUID (1234abcd-12ab-34cd-56ef-1234567890ab).
	ID     string `yaml:"id" json:"id"`
	Region string `yaml:"region,omitempty" json:"region,omitempty"`
	// Manager is CUSTOMER (default) or AWS, for an AWS managed key such as
	// the one behind alias/aws/sns.
	Manager     string `yaml:"manager,omitempty" json:"manager,omitempty"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Aliases are the key's alias names (alias/name); names under
	// alias/aws/ belong to AWS managed keys.
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Policy is the key policy, written like Policy.Content; empty means
	// KMS's default key policy (the account may use the key through IAM
	// policies, no service principal may).
	Policy PolicyDocument `yaml:"policy,omitempty" json:"policy,omitempty"`
}

var (
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	queueName  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	kmsKeyID   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	aliasName  = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)
)

// validateResources checks bucket and queue names, their policies and the
// queues' redrive settings, and the keys: IDs, managers, aliases and key
// policies.
func (s *Scenario) validateResources(bad func(string, ...any)) {
	buckets := map[string]bool{}
	checkPolicy := func(where string, doc PolicyDocument) {
		if doc == "" {
			return
		}
		if _, err := policy.Parse(where, []byte(doc)); err != nil {
			bad("%s.policy: %v", where, err)
		}
	}
	for i, a := range s.Accounts {
		for j, b := range a.Buckets {
			where := fmt.Sprintf("accounts[%d].buckets[%d]", i, j)
			if !bucketName.MatchString(b.Name) || strings.Contains(b.Name, "..") {
				bad("%s.name %q: want 3 to 63 lower-case letters, digits, dots or hyphens", where, b.Name)
			}
			if buckets[b.Name] {
				bad("%s.name %q: duplicate bucket (bucket names are global)", where, b.Name)
			}
			buckets[b.Name] = true
			checkPolicy(where, b.Policy)
		}
		queues := map[string]bool{}
		for j, q := range a.Queues {
			where := fmt.Sprintf("accounts[%d].queues[%d]", i, j)
			if !queueName.MatchString(q.Name) {
				bad("%s.name %q: want 1 to 80 letters, digits, - or _", where, q.Name)
			}
			key := s.regionOr(q.Region) + "/" + q.Name
			if queues[key] {
				bad("%s.name %q: duplicate queue in %s", where, q.Name, s.regionOr(q.Region))
			}
			queues[key] = true
			checkPolicy(where, q.Policy)
			if v := q.VisibilityTimeout; v != nil && (*v < 0 || *v > maxVisibility) {
				bad("%s.visibility_timeout %d: want 0 to %d seconds", where, *v, maxVisibility)
			}
			if (q.DeadLetterQueue == "") != (q.MaxReceiveCount == 0) {
				bad("%s: dead_letter_queue and max_receive_count go together", where)
			}
			if q.MaxReceiveCount < 0 || q.MaxReceiveCount > 1000 {
				bad("%s.max_receive_count %d: want 1 to 1000", where, q.MaxReceiveCount)
			}
		}
		s.validateKeys(i, a, checkPolicy, bad)
	}
}

// validateKeys checks one account's keys: a key ID is a UUID used once in
// a Region, an alias names one key of its Region, and alias/aws/ names
// belong to AWS managed keys only.
func (s *Scenario) validateKeys(i int, a Account, checkPolicy func(string, PolicyDocument), bad func(string, ...any)) {
	ids, aliases := map[string]bool{}, map[string]bool{}
	for j, k := range a.Keys {
		where := fmt.Sprintf("accounts[%d].keys[%d]", i, j)
		region := s.regionOr(k.Region)
		if !kmsKeyID.MatchString(k.ID) {
			bad("%s.id %q: want a key ID such as 1234abcd-12ab-34cd-56ef-1234567890ab", where, k.ID)
		}
		if ids[region+"/"+k.ID] {
			bad("%s.id %q: duplicate key in %s", where, k.ID, region)
		}
		ids[region+"/"+k.ID] = true
		if k.Manager != "" && k.Manager != keyManagerCustomer && k.Manager != keyManagerAWS {
			bad("%s.manager %q: want CUSTOMER or AWS", where, k.Manager)
		}
		for _, al := range k.Aliases {
			switch {
			case !aliasName.MatchString(al):
				bad("%s.aliases %q: want alias/ and a name of letters, digits, /, _ or -", where, al)
			case strings.HasPrefix(al, "alias/aws/") && k.Manager != keyManagerAWS:
				bad("%s.aliases %q: alias/aws/ names AWS managed keys only (manager: AWS)", where, al)
			case aliases[region+"/"+al]:
				bad("%s.aliases %q: duplicate alias in %s", where, al, region)
			}
			aliases[region+"/"+al] = true
		}
		checkPolicy(where, k.Policy)
	}
}

// regionOr is r, or the scenario's Region when r is empty.
func (s *Scenario) regionOr(r string) string {
	switch {
	case r != "":
		return r
	case s.Region != "":
		return s.Region
	}
	return "us-east-1"
}
