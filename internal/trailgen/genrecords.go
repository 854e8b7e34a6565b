package trailgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// gen renders CloudTrail records for one account and region.
type gen struct {
	rng     *rand.Rand
	account string
	region  string
	large   float64 // share of large records among the ordinary ones; 0 (planted records) or DefaultLargeShare keep the draw of the default mix
	noise   int     // random characters per ordinary record
}

// ev is one record before rendering, fields in CloudTrail's order.
type ev struct {
	identity   obj
	t          time.Time
	source     string
	name       string
	ip         string
	ua         string
	errCode    string
	errMsg     string
	req, resp  any
	additional obj
	readOnly   *bool
	resources  []any
	eventType  string
	console    bool
	tls        bool
}

func (g *gen) render(e ev) []byte {
	o := obj{
		{"eventVersion", "1.09"},
		{"userIdentity", e.identity},
		{"eventTime", e.t.UTC().Format(time.RFC3339)},
		{"eventSource", e.source},
		{"eventName", e.name},
		{"awsRegion", g.region},
		{"sourceIPAddress", e.ip},
		{"userAgent", e.ua},
	}
	if e.errCode != "" {
		o = append(o, kv{"errorCode", e.errCode})
	}
	if e.errMsg != "" {
		o = append(o, kv{"errorMessage", e.errMsg})
	}
	o = append(o, kv{"requestParameters", e.req}, kv{"responseElements", e.resp})
	if e.additional != nil {
		o = append(o, kv{"additionalEventData", e.additional})
	}
	o = append(o, kv{"requestID", g.uuid()}, kv{"eventID", g.uuid()})
	if e.readOnly != nil {
		o = append(o, kv{"readOnly", *e.readOnly})
	}
	if e.resources != nil {
		o = append(o, kv{"resources", e.resources})
	}
	if e.eventType == "" {
		e.eventType = "AwsApiCall"
	}
	o = append(o, kv{"eventType", e.eventType}, kv{"managementEvent", true}, kv{"recipientAccountId", g.account}, kv{"eventCategory", "Management"})
	if e.tls {
		o = append(o, kv{"tlsDetails", obj{{"tlsVersion", "TLSv1.3"}, {"cipherSuite", "TLS_AES_128_GCM_SHA256"}, {"clientProvidedHostHeader", hostOf(e.source, g.region)}}})
	}
	if e.console {
		o = append(o, kv{"sessionCredentialFromConsole", "true"})
	}
	return appendJSON(make([]byte, 0, 2048), o)
}

func hostOf(source, region string) string {
	svc := strings.TrimSuffix(source, ".amazonaws.com")
	if svc == "iam" || svc == "signin" {
		return source
	}
	return svc + "." + region + ".amazonaws.com"
}

func (g *gen) uuid() string {
	const h = "0123456789abcdef"
	b := make([]byte, 36)
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = h[g.rng.IntN(16)]
		}
	}
	return string(b)
}

func (g *gen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 3+g.rng.IntN(200), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *gen) hex(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.rng.IntN(16)]
	}
	return string(b)
}

// token is n random base64 characters.
func (g *gen) token(n int) string {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, n)
	for i := range b {
		b[i] = b64[g.rng.IntN(len(b64))]
	}
	return string(b)
}

func ptr(b bool) *bool { return &b }

var (
	sdkAgents = []string{
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.173.0",
		"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.220-209.869.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
		"aws-cli/2.17.13 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#ec2.describe-instances",
		"aws-sdk-java/2.26.20 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
		"Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.58.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
	}
	browserAgent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	roleNames    = []string{"app-backend", "ci-deploy", "OrganizationAccountAccessRole", "AWSReservedSSO_AdministratorAccess_4f8e2a1b9c3d5e7f", "AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6789", "eks-node-group", "lambda-ingest", "datadog-integration"}
	userNames    = []string{"alice", "bob", "build-bot", "legacy-backup", "terraform"}
	services     = []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com", "autoscaling.amazonaws.com", "config.amazonaws.com", "elasticloadbalancing.amazonaws.com"}
)

// identities

func (g *gen) assumedRole(role string) obj {
	sess := "i-0" + g.hex(16)
	if strings.HasPrefix(role, "AWSReservedSSO") {
		sess = g.pick(userNames) + "@example.com"
	}
	return obj{
		{"type", "AssumedRole"},
		{"principalId", "AROA" + strings.ToUpper(g.hex(17)) + ":" + sess},
		{"arn", "arn:aws:sts::" + g.account + ":assumed-role/" + role + "/" + sess},
		{"accountId", g.account},
		{"accessKeyId", "ASIA" + strings.ToUpper(g.hex(16))},
		{"sessionContext", obj{
			{"sessionIssuer", obj{{"type", "Role"}, {"principalId", "AROA" + strings.ToUpper(g.hex(17))}, {"arn", "arn:aws:iam::" + g.account + ":role/" + role}, {"accountId", g.account}, {"userName", role}}},
			{"webIdFederationData", obj{}},
			{"attributes", obj{{"creationDate", "2025-03-01T08:00:00Z"}, {"mfaAuthenticated", "false"}}},
		}},
	}
}

func (g *gen) iamUser(name string) obj {
	return obj{
		{"type", "IAMUser"},
		{"principalId", "AIDA" + strings.ToUpper(g.hex(17))},
		{"arn", "arn:aws:iam::" + g.account + ":user/" + name},
		{"accountId", g.account},
		{"accessKeyId", "AKIA" + strings.ToUpper(g.hex(16))},
		{"userName", name},
	}
}

func (g *gen) awsService(svc string) obj {
	return obj{{"type", "AWSService"}, {"invokedBy", svc}}
}

func (g *gen) root(key string) obj {
	o := obj{
		{"type", "Root"},
		{"principalId", g.account},
		{"arn", "arn:aws:iam::" + g.account + ":root"},
		{"accountId", g.account},
		{"accessKeyId", key},
	}
	return o
}

// record draws one record of the usual mix; about 0.1% are root activity
// and about 0.5% are look-alikes.
func (g *gen) record(t time.Time) (rec []byte, rootKind, decoy string) {
	x := g.rng.Float64()
	switch {
	case x < 0.001:
		return g.rootRecord(t)
	case x < 0.006:
		rec, decoy = g.decoy(t)
		return rec, "", decoy
	}
	var id obj
	ip := g.ip()
	ua := g.pick(sdkAgents)
	switch y := g.rng.Float64(); {
	case y < 0.70:
		id = g.assumedRole(g.pick(roleNames))
	case y < 0.85:
		svc := g.pick(services)
		id = g.awsService(svc)
		ip, ua = svc, svc
	default:
		id = g.iamUser(g.pick(userNames))
	}
	e := ev{identity: id, t: t, ip: ip, ua: ua, tls: true}
	z := g.rng.IntN(16)
	if g.large > 0 && g.large != DefaultLargeShare {
		// Reshape the mix; the default draws nothing more, so that a seed
		// keeps giving the archive it gave before the shape knobs.
		switch {
		case g.rng.Float64() < g.large:
			z = 3
		case z == 3:
			z = 4 + g.rng.IntN(12)
		}
	}
	if g.noise > 0 {
		e.additional = obj{{"x-amz-id-2", g.token(g.noise)}}
	}
	switch z {
	case 0, 1, 2:
		e.source, e.name, e.readOnly = "ec2.amazonaws.com", "DescribeInstances", ptr(true)
		e.req = obj{{"instancesSet", obj{{"items", []any{obj{{"instanceId", "i-0" + g.hex(16)}}}}}}, {"filterSet", obj{{"items", []any{obj{{"name", "tag:Environment"}, {"valueSet", obj{{"items", []any{obj{{"value", "production"}}}}}}}}}}}}
	case 3:
		e.source, e.name, e.readOnly = "ec2.amazonaws.com", "RunInstances", ptr(false)
		e.req, e.resp = g.runInstances()
	case 4, 5:
		e.source, e.name, e.readOnly = "sts.amazonaws.com", "AssumeRole", ptr(true)
		role := g.pick(roleNames)
		e.req = obj{{"roleArn", "arn:aws:iam::" + g.account + ":role/" + role}, {"roleSessionName", "session-" + g.hex(8)}, {"durationSeconds", 3600}}
		e.resp = obj{{"credentials", obj{{"accessKeyId", "ASIA" + strings.ToUpper(g.hex(16))}, {"sessionToken", g.hex(64)}, {"expiration", "Mar 3, 2025, 10:00:00 AM"}}}, {"assumedRoleUser", obj{{"assumedRoleId", "AROA" + strings.ToUpper(g.hex(17)) + ":session"}, {"arn", "arn:aws:sts::" + g.account + ":assumed-role/" + role + "/session"}}}}
		e.resources = []any{obj{{"accountId", g.account}, {"type", "AWS::IAM::Role"}, {"ARN", "arn:aws:iam::" + g.account + ":role/" + role}}}
	case 6, 7:
		e.source, e.name, e.readOnly = "kms.amazonaws.com", "Decrypt", ptr(true)
		key := "arn:aws:kms:" + g.region + ":" + g.account + ":key/" + g.uuid()
		e.req = obj{{"encryptionContext", obj{{"aws:lambda:FunctionArn", "arn:aws:lambda:" + g.region + ":" + g.account + ":function:ingest"}}}, {"encryptionAlgorithm", "SYMMETRIC_DEFAULT"}}
		e.resources = []any{obj{{"accountId", g.account}, {"type", "AWS::KMS::Key"}, {"ARN", key}}}
	case 8:
		e.source, e.name, e.readOnly = "s3.amazonaws.com", "GetBucketAcl", ptr(true)
		e.req = obj{{"bucketName", "logs-" + g.account}, {"Host", "logs-" + g.account + ".s3.amazonaws.com"}, {"acl", ""}}
		e.additional = obj{{"SignatureVersion", "SigV4"}, {"CipherSuite", "TLS_AES_128_GCM_SHA256"}, {"bytesTransferredIn", 0}, {"AuthenticationMethod", "AuthHeader"}, {"x-amz-id-2", g.hex(60)}, {"bytesTransferredOut", 550}} // its own token
	case 9:
		e.source, e.name, e.readOnly = "logs.amazonaws.com", "CreateLogStream", ptr(false)
		e.req = obj{{"logGroupName", "/aws/lambda/ingest"}, {"logStreamName", "2025/03/03/[$LATEST]" + g.hex(32)}}
	case 10:
		e.source, e.name, e.readOnly = "iam.amazonaws.com", "GetRole", ptr(true)
		e.req = obj{{"roleName", g.pick(roleNames)}}
	case 11:
		e.source, e.name, e.readOnly = "dynamodb.amazonaws.com", "DescribeTable", ptr(true)
		e.req = obj{{"tableName", "orders"}}
	case 12:
		e.source, e.name, e.readOnly = "ssm.amazonaws.com", "GetParameter", ptr(true)
		e.req = obj{{"name", "/app/" + g.pick([]string{"db/url", "api/key", "feature/flags"})}, {"withDecryption", true}}
	case 13:
		e.source, e.name, e.readOnly = "cloudformation.amazonaws.com", "DescribeStacks", ptr(true)
		e.req = obj{{"stackName", "arn:aws:cloudformation:" + g.region + ":" + g.account + ":stack/app/" + g.uuid()}}
	case 14:
		e.source, e.name, e.readOnly = "ecr.amazonaws.com", "GetAuthorizationToken", ptr(true)
		e.resp = nil
	default:
		e.source, e.name, e.readOnly = "sts.amazonaws.com", "GetCallerIdentity", ptr(true)
	}
	return g.render(e), "", ""
}

func (g *gen) runInstances() (req, resp any) {
	sg := "sg-0" + g.hex(16)
	subnet := "subnet-0" + g.hex(16)
	var items []any
	for range 1 + g.rng.IntN(3) {
		items = append(items, obj{
			{"instanceId", "i-0" + g.hex(16)}, {"imageId", "ami-0" + g.hex(16)}, {"currentInstanceBootMode", "legacy-bios"},
			{"instanceState", obj{{"code", 0}, {"name", "pending"}}}, {"privateDnsName", "ip-10-0-1-23." + g.region + ".compute.internal"},
			{"amiLaunchIndex", 0}, {"productCodes", obj{}}, {"instanceType", "m6i.large"}, {"launchTime", 1740990000000},
			{"placement", obj{{"availabilityZone", g.region + "a"}, {"tenancy", "default"}}}, {"monitoring", obj{{"state", "disabled"}}},
			{"subnetId", subnet}, {"vpcId", "vpc-0" + g.hex(16)}, {"privateIpAddress", "10.0.1.23"}, {"stateReason", obj{{"code", "pending"}, {"message", "pending"}}},
			{"architecture", "x86_64"}, {"rootDeviceType", "ebs"}, {"rootDeviceName", "/dev/xvda"}, {"blockDeviceMapping", obj{}},
			{"virtualizationType", "hvm"}, {"hypervisor", "xen"}, {"groupSet", obj{{"items", []any{obj{{"groupId", sg}, {"groupName", "app"}}}}}},
			{"networkInterfaceSet", obj{{"items", []any{obj{{"networkInterfaceId", "eni-0" + g.hex(16)}, {"subnetId", subnet}, {"ownerId", g.account}, {"status", "in-use"}, {"macAddress", "0a:1b:2c:3d:4e:5f"}, {"privateIpAddress", "10.0.1.23"}, {"sourceDestCheck", true}, {"attachment", obj{{"attachmentId", "eni-attach-0" + g.hex(16)}, {"deviceIndex", 0}, {"networkCardIndex", 0}, {"status", "attaching"}, {"deleteOnTermination", true}}}}}}}},
			{"ebsOptimized", true}, {"enaSupport", true}, {"metadataOptions", obj{{"state", "pending"}, {"httpTokens", "required"}, {"httpPutResponseHopLimit", 2}, {"httpEndpoint", "enabled"}}},
			{"tagSet", obj{{"items", []any{obj{{"key", "Name"}, {"value", "app-" + g.hex(6)}}, obj{{"key", "Environment"}, {"value", "production"}}}}}},
		})
	}
	req = obj{
		{"instancesSet", obj{{"items", []any{obj{{"imageId", "ami-0" + g.hex(16)}, {"minCount", 1}, {"maxCount", len(items)}}}}}},
		{"instanceType", "m6i.large"}, {"blockDeviceMapping", obj{}}, {"monitoring", obj{{"enabled", false}}}, {"disableApiTermination", false},
		{"disableApiStop", false}, {"clientToken", g.uuid()}, {"networkInterfaceSet", obj{{"items", []any{obj{{"deviceIndex", 0}, {"subnetId", subnet}, {"groupSet", obj{{"items", []any{obj{{"groupId", sg}}}}}}}}}}},
		{"userData", "<sensitiveDataRemoved>"},
	}
	resp = obj{{"requestId", g.uuid()}, {"reservationId", "r-0" + g.hex(16)}, {"ownerId", g.account}, {"groupSet", obj{}}, {"instancesSet", obj{{"items", items}}}}
	return req, resp
}

// rootRecord draws one of the root kinds.
func (g *gen) rootRecord(t time.Time) ([]byte, string, string) {
	switch g.rng.IntN(10) {
	case 0, 1:
		return g.rootConsoleLogin(t, true, false), kindLoginMFA, ""
	case 2:
		return g.rootConsoleLogin(t, false, false), kindLoginNoMFA, ""
	case 3:
		return g.rootConsoleLogin(t, false, true), kindLoginFailed, ""
	case 4, 5:
		id := g.root("ASIA" + strings.ToUpper(g.hex(16)))
		id = append(id, kv{"sessionContext", obj{{"attributes", obj{{"creationDate", t.Add(-10 * time.Minute).UTC().Format(time.RFC3339)}, {"mfaAuthenticated", "true"}}}}})
		name := g.pick([]string{"ListBuckets", "DescribeInstances", "GetAccountSummary"})
		src := map[string]string{"ListBuckets": "s3.amazonaws.com", "DescribeInstances": "ec2.amazonaws.com", "GetAccountSummary": "iam.amazonaws.com"}[name]
		return g.render(ev{identity: id, t: t, source: src, name: name, ip: g.ip(), ua: "AWS Internal", readOnly: ptr(true), console: true, tls: true}), kindAPICall, ""
	case 6:
		id := g.root("AKIA" + strings.ToUpper(g.hex(16)))
		resp := obj{{"accessKey", obj{{"accessKeyId", "AKIA" + strings.ToUpper(g.hex(16))}, {"status", "Active"}, {"createDate", t.Format("Jan 2, 2006 3:04:05 PM")}}}}
		return g.render(ev{identity: id, t: t, source: "iam.amazonaws.com", name: "CreateAccessKey", ip: g.ip(), ua: g.pick(sdkAgents), resp: resp, readOnly: ptr(false), tls: true}), kindCreateKey, ""
	case 7:
		id := g.root("ASIA" + strings.ToUpper(g.hex(16)))
		name := g.pick([]string{"EnableMFADevice", "DeactivateMFADevice"})
		req := obj{{"userName", "AWS ROOT USER"}, {"serialNumber", "arn:aws:iam::" + g.account + ":mfa/root-account-mfa-device"}}
		return g.render(ev{identity: id, t: t, source: "iam.amazonaws.com", name: name, ip: g.ip(), ua: "AWS Internal", req: req, readOnly: ptr(false), console: true}), kindMFAChange, ""
	case 8:
		if g.rng.IntN(2) == 0 {
			return g.render(ev{identity: g.root(""), t: t, source: "signin.amazonaws.com", name: "PasswordUpdated", ip: g.ip(), ua: browserAgent,
				resp: obj{{"PasswordUpdated", "Success"}}, eventType: "AwsConsoleSignIn"}), kindPassword, ""
		}
		id := obj{{"type", "Root"}, {"principalId", g.account}, {"arn", "arn:aws:iam::" + g.account + ":root"}, {"accountId", g.account}}
		return g.render(ev{identity: id, t: t, source: "signin.amazonaws.com", name: "PasswordRecoveryRequested", ip: g.ip(), ua: browserAgent,
			resp: obj{{"PasswordRecoveryRequested", "Success"}}, eventType: "AwsConsoleSignIn"}), kindRecovery, ""
	default:
		id := g.root("ASIA" + strings.ToUpper(g.hex(16)))
		id = append(id, kv{"invokedBy", "cloudformation.amazonaws.com"})
		return g.render(ev{identity: id, t: t, source: "s3.amazonaws.com", name: "CreateBucket", ip: "cloudformation.amazonaws.com", ua: "cloudformation.amazonaws.com",
			req: obj{{"bucketName", "stack-artifacts-" + g.hex(8)}, {"Host", "s3.amazonaws.com"}}, readOnly: ptr(false)}), kindServiceInvoked, ""
	}
}

func (g *gen) rootConsoleLogin(t time.Time, mfa, failed bool) []byte {
	used := "No"
	if mfa {
		used = "Yes"
	}
	e := ev{identity: g.root(""), t: t, source: "signin.amazonaws.com", name: "ConsoleLogin", ip: g.ip(), ua: browserAgent,
		resp: obj{{"ConsoleLogin", "Success"}}, eventType: "AwsConsoleSignIn",
		additional: obj{{"LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"}, {"MobileVersion", "No"}, {"MFAUsed", used}}}
	if failed {
		e.resp = obj{{"ConsoleLogin", "Failure"}}
		e.errMsg = "Failed authentication"
	}
	return g.render(e)
}

// assumeRoot is an sts:AssumeRoot call in the management account.
func (g *gen) assumeRoot(t time.Time, member, policy, key string) []byte {
	id := g.assumedRole("AWSReservedSSO_AdministratorAccess_4f8e2a1b9c3d5e7f")
	return g.render(ev{identity: id, t: t, source: "sts.amazonaws.com", name: "AssumeRoot", ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(true), tls: true,
		req:  obj{{"targetPrincipal", member}, {"taskPolicyArn", obj{{"arn", "arn:aws:iam::aws:policy/root-task/" + policy}}}},
		resp: obj{{"credentials", obj{{"accessKeyId", key}, {"sessionToken", g.hex(64)}, {"expiration", t.Add(15 * time.Minute).Format("Jan 2, 2006, 3:04:05 PM")}}}}})
}

// assumedRootSession is a call made in a member account with the
// credentials AssumeRoot returned.
func (g *gen) assumedRootSession(t time.Time, policy, key string) []byte {
	id := g.root(key)
	id = append(id, kv{"sessionContext", obj{{"attributes", obj{{"creationDate", t.Add(-time.Minute).UTC().Format(time.RFC3339)}, {"mfaAuthenticated", "false"}}}, {"assumedRoot", "true"}}})
	name, src := "GetLoginProfile", "iam.amazonaws.com"
	switch policy {
	case "IAMDeleteRootUserCredentials":
		name = "DeleteLoginProfile"
	case "S3UnlockBucketPolicy":
		name, src = "DeleteBucketPolicy", "s3.amazonaws.com"
	}
	return g.render(ev{identity: id, t: t, source: src, name: name, ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(name == "GetLoginProfile"), tls: true})
}

// decoy draws a record that mentions root but is not root activity.
func (g *gen) decoy(t time.Time) ([]byte, string) {
	switch g.rng.IntN(5) {
	case 0:
		return g.render(ev{identity: g.iamUser("root"), t: t, source: "s3.amazonaws.com", name: "ListBuckets", ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(true), tls: true}), decoyUserRoot
	case 1:
		return g.render(ev{identity: g.iamUser("Root-admin"), t: t, source: "signin.amazonaws.com", name: "ConsoleLogin", ip: g.ip(), ua: browserAgent,
			resp: obj{{"ConsoleLogin", "Success"}}, eventType: "AwsConsoleSignIn",
			additional: obj{{"LoginTo", "https://console.aws.amazon.com/console/home"}, {"MobileVersion", "No"}, {"MFAUsed", "No"}}}), decoyUserAdmin
	case 2:
		return g.render(ev{identity: g.assumedRole("RootCauseAnalysisRole"), t: t, source: "logs.amazonaws.com", name: "FilterLogEvents", ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(true), tls: true,
			req: obj{{"logGroupName", "/aws/lambda/ingest"}, {"filterPattern", "ERROR"}}}), decoyRoleRoot
	case 3:
		return g.render(ev{identity: g.assumedRole("OrganizationAccountAccessRole"), t: t, source: "organizations.amazonaws.com", name: "ListRoots", ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(true), tls: true,
			resp: obj{{"roots", []any{obj{{"id", "r-" + g.hex(4)}, {"arn", "arn:aws:organizations::" + g.account + ":root/o-" + g.hex(10) + "/r-" + g.hex(4)}, {"name", "Root"}, {"policyTypes", []any{obj{{"type", "SERVICE_CONTROL_POLICY"}, {"status", "ENABLED"}}}}}}}}}), decoyOrgRoot
	default:
		return g.render(ev{identity: g.assumedRole("ci-deploy"), t: t, source: "ec2.amazonaws.com", name: "CreateTags", ip: g.ip(), ua: g.pick(sdkAgents), readOnly: ptr(false), tls: true,
			req: obj{{"resourcesSet", obj{{"items", []any{obj{{"resourceId", "vol-0" + g.hex(16)}}}}}}, {"tagSet", obj{{"items", []any{obj{{"key", "DeviceName"}, {"value", "Root"}}}}}}}}), decoyParamValue
	}
}
