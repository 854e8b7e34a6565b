package policy_test

import (
	"fmt"
	"testing"

	"github.com/rootguard/rootguard/internal/policy"
)

// benchPolicies is a realistic SCP mix: FullAWSAccess everywhere, a few
// conditional denies, NotAction holes, a root-deny with and without the
// AssumedRoot exemption.
var benchPolicies = map[string]string{
	"FullAWSAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"DenyLeaveOrg":  `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeave","Effect":"Deny","Action":["organizations:LeaveOrganization","account:CloseAccount"],"Resource":"*"}]}`,
	"RegionGuard": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyOtherRegions","Effect":"Deny",
		"NotAction":["iam:*","organizations:*","sts:*","support:*","account:*","s3:*","kms:*"],"Resource":"*",
		"Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]},"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrgAdmin"}}}]}`,
	"CTRootAccessKeys": `{"Version":"2012-10-17","Statement":[{"Sid":"GRRESTRICTROOTUSERACCESSKEYS","Effect":"Deny","Action":"iam:CreateAccessKey","Resource":["*"],
		"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`,
	"DenyRootExceptAssumedRoot": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"},"Null":{"aws:AssumedRoot":"true"}}}]}`,
	"CTRestrictRoot": `{"Version":"2012-10-17","Statement":[{"Sid":"GRRESTRICTROOTUSER","Effect":"Deny","Action":"*","Resource":["*"],
		"Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`,
	"DenyRootExceptBucketPolicy": `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootExceptS3Policy","Effect":"Deny",
		"NotAction":["s3:DeleteBucketPolicy","s3:PutBucketPolicy","s3:GetBucketPolicy"],"Resource":"*",
		"Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`,
	"ProtectSecurity": `{"Version":"2012-10-17","Statement":[
		{"Sid":"ProtectTrail","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail","guardduty:Delete*","config:Stop*"],"Resource":"*",
		 "Condition":{"StringNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/SecurityAdmin","arn:aws:iam::*:role/aws-reserved/*"]}}},
		{"Sid":"RequireIMDSv2","Effect":"Deny","Action":"ec2:RunInstances","Resource":"arn:aws:ec2:*:*:instance/*",
		 "Condition":{"StringNotEquals":{"ec2:MetadataHttpTokens":"required"}}}]}`,
	"DenyIAMUsers": `{"Version":"2012-10-17","Statement":[{"Sid":"NoIAMUsers","Effect":"Deny","Action":["iam:CreateUser","iam:CreateLoginProfile","iam:CreateAccessKey"],"Resource":"*",
		"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/IdentityAdmin"},"BoolIfExists":{"aws:AssumedRoot":"false"}}}]}`,
}

// benchAccount is an account with the policy names attached along its path,
// organization root first, as a snapshot would list them.
type benchAccount struct {
	id     string
	path   []string   // level names
	attach [][]string // policy names per level
}

// benchOrg describes an organization of n accounts five levels deep: root,
// four OU levels (fan-out 4, 2, 2, 2: 32 leaf OUs), then the account.
func benchOrg(n int) []benchAccount {
	type node struct {
		names  []string
		attach [][]string
	}
	rootAttach := []string{"FullAWSAccess", "DenyLeaveOrg", "RegionGuard", "CTRootAccessKeys"}
	var leaves []node
	for a := range 4 {
		l1 := []string{"FullAWSAccess"}
		switch a {
		case 0:
			l1 = append(l1, "DenyRootExceptAssumedRoot")
		case 1:
			l1 = append(l1, "CTRestrictRoot")
		case 2:
			l1 = append(l1, "DenyRootExceptBucketPolicy")
		}
		for b := range 2 {
			for c := range 2 {
				for d := range 2 {
					l4 := []string{"FullAWSAccess"}
					if d == 1 {
						l4 = append(l4, "DenyIAMUsers")
					}
					leaves = append(leaves, node{
						names: []string{"root r-bench", fmt.Sprintf("ou ou-l1-%d", a), fmt.Sprintf("ou ou-l2-%d%d", a, b),
							fmt.Sprintf("ou ou-l3-%d%d%d", a, b, c), fmt.Sprintf("ou ou-l4-%d%d%d%d", a, b, c, d)},
						attach: [][]string{rootAttach, l1, {"FullAWSAccess", "ProtectSecurity"}, {"FullAWSAccess"}, l4},
					})
				}
			}
		}
	}
	out := make([]benchAccount, 0, n)
	for i := range n {
		id := fmt.Sprintf("%012d", 100000000000+i)
		leaf := leaves[i%len(leaves)]
		out = append(out, benchAccount{
			id:     id,
			path:   append(append([]string{}, leaf.names...), "account "+id),
			attach: append(append([][]string{}, leaf.attach...), []string{"FullAWSAccess"}),
		})
	}
	return out
}

// levels builds the account's SCP levels through the cache, so every
// account shares the compiled policies.
func (a benchAccount) levels(tb testing.TB, cache *policy.Cache) []policy.Level {
	levels := make([]policy.Level, len(a.path))
	for i, name := range a.path {
		levels[i].Name = name
		for _, pn := range a.attach[i] {
			p, err := cache.Parse(pn, []byte(benchPolicies[pn]))
			if err != nil {
				tb.Fatal(err)
			}
			levels[i].Policies = append(levels[i].Policies, p)
		}
	}
	return levels
}

// BenchmarkOrgCoverage evaluates root-deny coverage (10 probe actions) and
// root-task access (10 task actions) for every account of a 1,000-account
// organization; one op is the whole organization, levels built through a
// policy.Cache from each account's attachments.
func BenchmarkOrgCoverage(b *testing.B) {
	const n = 1000
	org := benchOrg(n)
	cache := &policy.Cache{}
	b.ReportAllocs()
	holes, blocked := 0, 0
	for b.Loop() {
		holes, blocked = 0, 0
		for _, a := range org {
			levels := a.levels(b, cache)
			cov := policy.RootDenyCoverage(levels, a.id, nil)
			ta := policy.RootTaskAccess(levels, a.id, nil)
			holes += len(cov.Holes)
			blocked += len(ta.Blocked)
		}
	}
	b.StopTimer()
	if holes == 0 || blocked == 0 || cache.Len() != len(benchPolicies) {
		b.Fatalf("benchmark organization is not realistic: %d holes, %d blocked tasks, %d cached policies", holes, blocked, cache.Len())
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "accounts/s")
}
