package collect

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53domains"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/rootguard/rootguard/internal/delivery"
	"github.com/rootguard/rootguard/internal/inventory"
)

// This file reads an account's own resources: the detective controls for
// root activity (trails, metric filters, alarms, SNS topics, EventBridge
// rules, GuardDuty) and what its root email could depend on (hosted zones,
// registered domains, SES inbound rules, WorkMail domains). Every call
// goes through the account's own credentials: the caller's in its own
// account, an sts:AssumeRole session in the others.

// accountCalls bounds the calls in flight for one account's own
// resources, on top of the account fan-out (DefaultConcurrency accounts).
const accountCalls = 8

// globalRegion is where the global services (Route 53, Route 53 Domains)
// are called.
const globalRegion = "us-east-1"

// workMailRegions are the Regions Amazon WorkMail is offered in; it is
// read only in the collected Regions among them. SignInRegion is one, so
// WorkMail is always read somewhere.
var workMailRegions = []string{"us-east-1", "us-west-2", "eu-west-1"}

type trailAPI interface {
	DescribeTrails(context.Context, *cloudtrail.DescribeTrailsInput, ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(context.Context, *cloudtrail.GetEventSelectorsInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

type ruleAPI interface {
	ListRules(context.Context, *eventbridge.ListRulesInput, ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error)
	ListTargetsByRule(context.Context, *eventbridge.ListTargetsByRuleInput, ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
}

type busAPI interface {
	DescribeEventBus(context.Context, *eventbridge.DescribeEventBusInput, ...func(*eventbridge.Options)) (*eventbridge.DescribeEventBusOutput, error)
}

type detectorAPI interface {
	guardduty.ListDetectorsAPIClient
	GetDetector(context.Context, *guardduty.GetDetectorInput, ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error)
}

type topicAPI interface {
	sns.ListTopicsAPIClient
	sns.ListSubscriptionsByTopicAPIClient
	GetTopicAttributes(context.Context, *sns.GetTopicAttributesInput, ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
}

type keyAPI interface {
	DescribeKey(context.Context, *kms.DescribeKeyInput, ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyPolicy(context.Context, *kms.GetKeyPolicyInput, ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

type queueAPI interface {
	sqs.ListQueuesAPIClient
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

type receiptAPI interface {
	DescribeActiveReceiptRuleSet(context.Context, *ses.DescribeActiveReceiptRuleSetInput, ...func(*ses.Options)) (*ses.DescribeActiveReceiptRuleSetOutput, error)
	ses.ListIdentitiesAPIClient
	GetIdentityVerificationAttributes(context.Context, *ses.GetIdentityVerificationAttributesInput, ...func(*ses.Options)) (*ses.GetIdentityVerificationAttributesOutput, error)
}

type workMailAPI interface {
	workmail.ListOrganizationsAPIClient
	workmail.ListMailDomainsAPIClient
}

// regionClients read one account's resources in one Region.
type regionClients struct {
	account   account.ListRegionsAPIClient
	trails    trailAPI
	logs      cloudwatchlogs.DescribeMetricFiltersAPIClient
	alarms    cloudwatch.DescribeAlarmsAPIClient
	topics    topicAPI
	keys      keyAPI
	rules     ruleAPI
	buses     busAPI
	detectors detectorAPI
	queues    queueAPI
	receipts  receiptAPI
	workmail  workMailAPI
	zones     route53.ListHostedZonesAPIClient
	domains   route53domains.ListDomainsAPIClient
	iam       accountIAMAPI
}

func newRegionClients(cfg aws.Config, creds aws.CredentialsProvider, region string) *regionClients {
	cfg = cfg.Copy()
	cfg.Region = region
	if creds != nil {
		cfg.Credentials = creds
	}
	eb := eventbridge.NewFromConfig(cfg)
	return &regionClients{
		account:   account.NewFromConfig(cfg),
		trails:    cloudtrail.NewFromConfig(cfg),
		logs:      cloudwatchlogs.NewFromConfig(cfg),
		alarms:    cloudwatch.NewFromConfig(cfg),
		topics:    sns.NewFromConfig(cfg),
		keys:      kms.NewFromConfig(cfg),
		rules:     eb,
		buses:     eb,
		detectors: guardduty.NewFromConfig(cfg),
		queues:    sqs.NewFromConfig(cfg),
		receipts:  ses.NewFromConfig(cfg),
		workmail:  workmail.NewFromConfig(cfg),
		zones:     route53.NewFromConfig(cfg),
		domains:   route53domains.NewFromConfig(cfg),
		iam:       iam.NewFromConfig(cfg),
	}
}

// Regions is the list of Regions whose regional facts are collected:
// SignInRegion first, then want (or configRegion when want is empty),
// without blanks or duplicates.
func Regions(want []string, configRegion string) []string {
	if len(want) == 0 {
		want = []string{configRegion}
	}
	out := []string{inventory.SignInRegion}
	for _, r := range want {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// arnPartition is the partition field of an ARN, "aws" when arn is not one.
func arnPartition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// roleARN is the ARN of the access role in account id.
func (col *collector) roleARN(id string) string {
	return "arn:" + col.partition + ":iam::" + id + ":role/" + strings.TrimPrefix(col.opts.Role, "/")
}

// accountReader holds what reading one account's own resources shares:
// the credentials, the clients of each Region (made on first use) and the
// bound on calls in flight.
type accountReader struct {
	col   *collector
	a     *inventory.Account
	creds aws.CredentialsProvider // nil: the caller's own
	slots chan struct{}
	// regions are the Regions whose regional facts are read.
	regions []string

	mu       sync.Mutex
	byRegion map[string]*regionClients
}

// in returns the clients for region.
func (r *accountReader) in(region string) *regionClients {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.byRegion[region]
	if !ok {
		c = r.col.c.regional(r.creds, region)
		r.byRegion[region] = c
	}
	return c
}

// do runs f, a short sequence of calls, once a slot is free. f must not
// wait for other work that needs a slot.
func (r *accountReader) do(f func()) {
	r.slots <- struct{}{}
	defer func() { <-r.slots }()
	f()
}

// ownResources reads the account's detective controls and mail facts. In
// an account other than the caller's it first opens a role session; when
// that is refused, every one of these facts carries the refusal.
func (col *collector) ownResources(ctx context.Context, a *inventory.Account) {
	r := &accountReader{col: col, a: a, slots: make(chan struct{}, accountCalls), byRegion: map[string]*regionClients{}}
	if a.ID != col.caller {
		arn := col.roleARN(a.ID)
		r.creds = col.c.roleSession(arn)
		at := col.now()
		_, err := r.creds.Retrieve(ctx)
		a.Session = inventory.Fact[string]{Value: arn, Source: source("sts:AssumeRole", at, err)}
		if err != nil {
			col.log.Debug("role session refused", "account_id", a.ID, "role_arn", arn, "error", err)
			col.refused(a, a.Session.Source)
			return
		}
	}
	r.regions = col.regions
	if r.regions == nil {
		a.Regions = r.enabledRegions(ctx)
		r.regions = Regions(a.Regions.Value, col.c.region)
	}
	col.readIn(r.regions)
	d, m := &a.Detective, &a.Mail
	var wg sync.WaitGroup
	wg.Go(func() { d.Trails, d.MetricFilters = r.trails(ctx) })
	wg.Go(func() { d.Alarms = r.alarms(ctx) })
	wg.Go(func() { d.Topics = r.topics(ctx) })
	wg.Go(func() { d.EventRules = r.eventRules(ctx) })
	wg.Go(func() { d.EventBuses = r.eventBuses(ctx) })
	wg.Go(func() { d.GuardDuty = r.detectors(ctx) })
	wg.Go(func() { d.Queues = r.queues(ctx) })
	wg.Go(func() { m.HostedZones = r.hostedZones(ctx) })
	wg.Go(func() { m.Domains, m.Registrations = r.registeredDomains(ctx) })
	wg.Go(func() { m.SESRecipients = r.sesRecipients(ctx) })
	wg.Go(func() { m.WorkMailDomains = r.workMailDomains(ctx) })
	wg.Go(func() { a.IAM = r.accountIAM(ctx) })
	wg.Wait()
}

// enabledRegions reads the Regions enabled in the account
// (account:ListRegions, ENABLED or ENABLED_BY_DEFAULT). On failure the
// fact carries the error and its value is empty.
func (r *accountReader) enabledRegions(ctx context.Context) inventory.Fact[[]string] {
	at := r.col.now()
	var out []string
	var err error
	r.do(func() {
		p := account.NewListRegionsPaginator(r.in(inventory.SignInRegion).account, &account.ListRegionsInput{
			RegionOptStatusContains: []accounttypes.RegionOptStatus{accounttypes.RegionOptStatusEnabled, accounttypes.RegionOptStatusEnabledByDefault},
		})
		for p.HasMorePages() {
			var page *account.ListRegionsOutput
			if page, err = p.NextPage(ctx); err != nil {
				out = nil
				return
			}
			for _, reg := range page.Regions {
				out = append(out, aws.ToString(reg.RegionName))
			}
		}
	})
	if err != nil {
		r.col.log.Debug("enabled Regions not read; reading us-east-1 and the configured Region", "account_id", r.a.ID, "error", err)
	}
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return inventory.Fact[[]string]{Value: out, Source: source("account:ListRegions", at, err)}
}

// refused gives every fact read with the account's own credentials the
// source s of the session that could not be opened.
func (col *collector) refused(a *inventory.Account, s inventory.Source) {
	d, m := &a.Detective, &a.Mail
	d.Trails.Source = s
	d.MetricFilters.Source = s
	d.Alarms.Source = s
	d.Topics.Source = s
	d.EventRules.Source = s
	d.EventBuses.Source = s
	d.GuardDuty.Source = s
	d.Queues.Source = s
	m.HostedZones.Source = s
	m.Domains.Source = s
	m.Registrations.Source = s
	m.SESRecipients.Source = s
	m.WorkMailDomains.Source = s
	a.IAM.UnassignedVirtualMFA.Source = s
	if col.mayAssumeRoot(a) {
		a.IAM.Principals.Source = s
	}
}

// regionPart is what one Region answered for a regional fact: the values,
// and the API that failed with its error.
type regionPart[T any] struct {
	vals []T
	api  string
	err  error
}

// readRegions runs read in each of regions and merges the answers.
func readRegions[T any](ctx context.Context, r *accountReader, api string, regions []string,
	read func(ctx context.Context, c *regionClients, region string) ([]T, string, error)) inventory.Fact[[]T] {
	at := r.col.now()
	parts := make([]regionPart[T], len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			vals, failedAPI, err := read(ctx, r.in(region), region)
			parts[i] = regionPart[T]{vals: vals, api: failedAPI, err: err}
		})
	}
	wg.Wait()
	return mergeRegions(api, at, regions, parts)
}

// mergeRegions joins the answers of each Region in Region order. The
// first Region that failed gives the fact its error, with the Region named
// in the message (an OptInRequired Region is recorded as such); what the
// other Regions answered is kept.
func mergeRegions[T any](api string, at time.Time, regions []string, parts []regionPart[T]) inventory.Fact[[]T] {
	f := inventory.Fact[[]T]{Value: []T{}, Source: inventory.Source{API: api, At: at}}
	var failed []string
	for i, p := range parts {
		f.Value = append(f.Value, p.vals...)
		if p.err == nil {
			continue
		}
		failed = append(failed, regions[i])
		if f.Source.Error == nil {
			ce := callError(p.err)
			f.Source = inventory.Source{API: p.api, At: at, Error: &inventory.CallError{Code: ce.Code, Message: inRegion(regions[i], ce.Message)}}
		}
	}
	f.Source.FailedRegions = failed
	return f
}

func inRegion(region, msg string) string {
	if msg == "" {
		return "in " + region
	}
	return "in " + region + ": " + msg
}

// first keeps the first error of several calls made in parallel.
type first struct {
	mu  sync.Mutex
	api string
	err error
}

func (f *first) set(api string, err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.api, f.err = api, err
	}
}

// trails reads the trails visible in each Region (shadow trails included:
// an organization trail shows in every member, a multi-Region trail in
// every Region), then each distinct trail's status and event selectors in
// its home Region and by ARN, and the metric filters of the log groups the
// account's own trails deliver to.
func (r *accountReader) trails(ctx context.Context) (inventory.Fact[[]inventory.Trail], inventory.Fact[[]inventory.MetricFilter]) {
	f := readRegions(ctx, r, "cloudtrail:DescribeTrails", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.Trail, string, error) {
			var out *cloudtrail.DescribeTrailsOutput
			var err error
			r.do(func() {
				out, err = c.trails.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
			})
			if err != nil {
				return nil, "cloudtrail:DescribeTrails", err
			}
			var ts []inventory.Trail
			for _, t := range out.TrailList {
				home := aws.ToString(t.HomeRegion)
				if home == "" {
					home = region
				}
				ts = append(ts, inventory.Trail{
					Name:                aws.ToString(t.Name),
					ARN:                 aws.ToString(t.TrailARN),
					HomeRegion:          home,
					IsMultiRegion:       aws.ToBool(t.IsMultiRegionTrail),
					IsOrganizationTrail: aws.ToBool(t.IsOrganizationTrail),
					S3BucketName:        aws.ToString(t.S3BucketName),
					LogGroupARN:         aws.ToString(t.CloudWatchLogsLogGroupArn),
				})
			}
			return ts, "", nil
		})

	// A multi-Region trail shows in every Region: keep it once.
	seen := map[string]bool{}
	trails := f.Value[:0]
	for _, t := range f.Value {
		key := t.ARN
		if key == "" {
			key = t.HomeRegion + "/" + t.Name
		}
		if !seen[key] {
			seen[key] = true
			trails = append(trails, t)
		}
	}
	slices.SortFunc(trails, func(x, y inventory.Trail) int { return strings.Compare(x.ARN, y.ARN) })
	f.Value = trails

	// The metric filters are read from a copy: the trails' status and
	// selectors are written while they are read.
	listed := slices.Clone(trails)
	var mf inventory.Fact[[]inventory.MetricFilter]
	var wg sync.WaitGroup
	wg.Go(func() { mf = r.metricFilters(ctx, listed) })
	for i := range trails {
		t := &trails[i]
		id := t.ARN
		if id == "" {
			id = t.Name
		}
		c := r.in(t.HomeRegion)
		wg.Go(func() { r.do(func() { t.Logging = r.col.trailStatus(ctx, c.trails, id) }) })
		wg.Go(func() { r.do(func() { t.Selectors = r.col.eventSelectors(ctx, c.trails, id) }) })
	}
	wg.Wait()
	if f.Source.Error != nil {
		// The trail list has a hole, so may the log groups.
		mf.Source = f.Source
	}
	return f, mf
}

func (col *collector) trailStatus(ctx context.Context, c trailAPI, trail string) inventory.Fact[bool] {
	at := col.now()
	out, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trail)})
	f := inventory.Fact[bool]{Source: source("cloudtrail:GetTrailStatus", at, err)}
	if err == nil {
		f.Value = aws.ToBool(out.IsLogging)
	}
	return f
}

func (col *collector) eventSelectors(ctx context.Context, c trailAPI, trail string) inventory.Fact[inventory.ManagementEvents] {
	at := col.now()
	out, err := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trail)})
	f := inventory.Fact[inventory.ManagementEvents]{Source: source("cloudtrail:GetEventSelectors", at, err)}
	if err == nil {
		partition := "aws"
		if a, ok := delivery.ParseARN(trail); ok {
			partition = a.Partition
		}
		f.Value = managementEvents(out, partition)
	}
	return f
}

// managementEvents summarizes a trail's selectors for management events.
// Basic selectors include them unless IncludeManagementEvents is false;
// an advanced selector includes them when its eventCategory field equals
// Management, restricted by a readOnly field to read or write events.
// Several selectors add up: read-only plus write-only is All. An advanced
// selector's conditions on other fields limit what it records, unless
// they provably keep every root event (delivery.KeepsRootEvents, for a
// trail in partition): those are RootKept, and another selector's
// conditions count as Filters only where no such selector (or a basic
// one) already records every root event of the same kind, read or write.
func managementEvents(out *cloudtrail.GetEventSelectorsOutput, partition string) inventory.ManagementEvents {
	type selector struct {
		read, write bool
		conditions  []string
		keepsRoot   bool
	}
	var sels []selector
	for _, s := range out.EventSelectors {
		if s.IncludeManagementEvents != nil && !*s.IncludeManagementEvents {
			continue
		}
		switch strings.ToLower(string(s.ReadWriteType)) {
		case "readonly":
			sels = append(sels, selector{read: true, keepsRoot: true})
		case "writeonly":
			sels = append(sels, selector{write: true, keepsRoot: true})
		default: // All, or unstated (the default is All)
			sels = append(sels, selector{read: true, write: true, keepsRoot: true})
		}
	}
	for _, s := range out.AdvancedEventSelectors {
		mgmt, onlyRead, onlyWrite := false, false, false
		sel := selector{keepsRoot: true}
		for _, fs := range s.FieldSelectors {
			switch field := aws.ToString(fs.Field); field {
			case "eventCategory":
				mgmt = slices.Contains(fs.Equals, "Management")
			case "readOnly":
				onlyRead = slices.Contains(fs.Equals, "true") && !slices.Contains(fs.Equals, "false")
				onlyWrite = slices.Contains(fs.Equals, "false") && !slices.Contains(fs.Equals, "true")
			default:
				for _, c := range fieldConditions(fs) {
					sel.conditions = append(sel.conditions, field+" "+c.op+" ["+strings.Join(c.values, ", ")+"]")
					sel.keepsRoot = sel.keepsRoot && delivery.KeepsRootEvents(field, c.op, c.values, partition)
				}
			}
		}
		if mgmt {
			sel.read, sel.write = !onlyWrite, !onlyRead
			sels = append(sels, sel)
		}
	}
	var read, write, fullRead, fullWrite bool
	for _, s := range sels {
		read, write = read || s.read, write || s.write
		fullRead, fullWrite = fullRead || s.read && s.keepsRoot, fullWrite || s.write && s.keepsRoot
	}
	me := inventory.ManagementEvents{Filters: []string{}}
	for _, s := range sels {
		if !s.keepsRoot && (s.read && !fullRead || s.write && !fullWrite) {
			me.Filters = append(me.Filters, s.conditions...)
		} else {
			me.RootKept = append(me.RootKept, s.conditions...)
		}
	}
	me.Included = read || write
	switch {
	case read && write:
		me.ReadWriteType = "All"
	case read:
		me.ReadWriteType = "ReadOnly"
	case write:
		me.ReadWriteType = "WriteOnly"
	}
	return me
}

// condition is one operator of an advanced field selector and its values.
type condition struct {
	op     string
	values []string
}

// fieldConditions lists an advanced field selector's conditions.
func fieldConditions(fs cttypes.AdvancedFieldSelector) []condition {
	var out []condition
	for _, c := range []condition{
		{"Equals", fs.Equals}, {"NotEquals", fs.NotEquals}, {"StartsWith", fs.StartsWith},
		{"NotStartsWith", fs.NotStartsWith}, {"EndsWith", fs.EndsWith}, {"NotEndsWith", fs.NotEndsWith},
	} {
		if len(c.values) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// metricFilters reads the metric filters of the log groups trails deliver
// to that belong to this account (an organization trail's log group is in
// the management account, where it is read).
func (r *accountReader) metricFilters(ctx context.Context, trails []inventory.Trail) inventory.Fact[[]inventory.MetricFilter] {
	at := r.col.now()
	type group struct{ region, name string }
	var groups []group
	for _, t := range trails {
		region, acct, name, ok := inventory.LogGroupARN(t.LogGroupARN)
		if !ok || (acct != "" && acct != r.a.ID) {
			continue
		}
		if g := (group{region, name}); !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	got := make([][]inventory.MetricFilter, len(groups))
	var fail first
	var wg sync.WaitGroup
	for i, g := range groups {
		c := r.in(g.region)
		wg.Go(func() {
			r.do(func() {
				p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c.logs,
					&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g.name)})
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						ce := callError(err)
						fail.set("logs:DescribeMetricFilters", &inventory.CallError{Code: ce.Code, Message: inRegion(g.region, "log group "+g.name+": "+ce.Message)})
						return
					}
					for _, mf := range page.MetricFilters {
						m := inventory.MetricFilter{
							Name:         aws.ToString(mf.FilterName),
							LogGroupName: aws.ToString(mf.LogGroupName),
							Pattern:      aws.ToString(mf.FilterPattern),
							Metrics:      []inventory.MetricTarget{},
						}
						if m.LogGroupName == "" {
							m.LogGroupName = g.name
						}
						for _, t := range mf.MetricTransformations {
							m.Metrics = append(m.Metrics, inventory.MetricTarget{Namespace: aws.ToString(t.MetricNamespace), Name: aws.ToString(t.MetricName)})
						}
						got[i] = append(got[i], m)
					}
				}
			})
		})
	}
	wg.Wait()
	f := inventory.Fact[[]inventory.MetricFilter]{Value: slices.Concat(got...), Source: source("logs:DescribeMetricFilters", at, nil)}
	f.Value = orEmpty(f.Value)
	if fail.err != nil {
		f.Source = source(fail.api, at, fail.err)
	}
	slices.SortStableFunc(f.Value, func(x, y inventory.MetricFilter) int {
		if c := strings.Compare(x.LogGroupName, y.LogGroupName); c != 0 {
			return c
		}
		return strings.Compare(x.Name, y.Name)
	})
	return f
}

// alarms reads the metric alarms of each Region. An alarm on a metric math
// expression is named by the first metric it reads.
func (r *accountReader) alarms(ctx context.Context) inventory.Fact[[]inventory.Alarm] {
	return readRegions(ctx, r, "cloudwatch:DescribeAlarms", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.Alarm, string, error) {
			var as []inventory.Alarm
			var err error
			r.do(func() {
				p := cloudwatch.NewDescribeAlarmsPaginator(c.alarms, &cloudwatch.DescribeAlarmsInput{})
				for p.HasMorePages() {
					var page *cloudwatch.DescribeAlarmsOutput
					if page, err = p.NextPage(ctx); err != nil {
						return
					}
					for _, m := range page.MetricAlarms {
						al := inventory.Alarm{
							Name:           aws.ToString(m.AlarmName),
							Region:         region,
							Namespace:      aws.ToString(m.Namespace),
							MetricName:     aws.ToString(m.MetricName),
							ActionsEnabled: aws.ToBool(m.ActionsEnabled),
							AlarmActions:   orEmpty(m.AlarmActions),
							Condition: &inventory.AlarmCondition{
								Statistic:          cmp.Or(string(m.Statistic), aws.ToString(m.ExtendedStatistic)),
								Period:             aws.ToInt32(m.Period),
								Threshold:          aws.ToFloat64(m.Threshold),
								ComparisonOperator: string(m.ComparisonOperator),
								EvaluationPeriods:  aws.ToInt32(m.EvaluationPeriods),
								DatapointsToAlarm:  aws.ToInt32(m.DatapointsToAlarm),
								TreatMissingData:   aws.ToString(m.TreatMissingData),
							},
						}
						for _, q := range m.Metrics {
							if al.MetricName != "" {
								break
							}
							if q.MetricStat != nil && q.MetricStat.Metric != nil {
								al.Namespace = aws.ToString(q.MetricStat.Metric.Namespace)
								al.MetricName = aws.ToString(q.MetricStat.Metric.MetricName)
							}
						}
						as = append(as, al)
					}
				}
			})
			return as, "cloudwatch:DescribeAlarms", err
		})
}

// topics reads the SNS topics of each Region with their subscriptions. A
// subscription whose ARN is not an ARN ("PendingConfirmation") is not
// confirmed.
func (r *accountReader) topics(ctx context.Context) inventory.Fact[[]inventory.Topic] {
	return readRegions(ctx, r, "sns:ListTopics", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.Topic, string, error) {
			var topics []inventory.Topic
			var err error
			r.do(func() {
				p := sns.NewListTopicsPaginator(c.topics, &sns.ListTopicsInput{})
				for p.HasMorePages() {
					var page *sns.ListTopicsOutput
					if page, err = p.NextPage(ctx); err != nil {
						return
					}
					for _, t := range page.Topics {
						topics = append(topics, inventory.Topic{ARN: aws.ToString(t.TopicArn), Subscriptions: []inventory.Subscription{}})
					}
				}
			})
			if err != nil {
				return nil, "sns:ListTopics", err
			}
			var fail first
			var wg sync.WaitGroup
			for i := range topics {
				t := &topics[i]
				wg.Go(func() {
					r.do(func() {
						p := sns.NewListSubscriptionsByTopicPaginator(c.topics, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(t.ARN)})
						for p.HasMorePages() {
							page, err := p.NextPage(ctx)
							if err != nil {
								fail.set("sns:ListSubscriptionsByTopic", err)
								return
							}
							for _, s := range page.Subscriptions {
								t.Subscriptions = append(t.Subscriptions, subscription(s.SubscriptionArn, s.Protocol, s.Endpoint))
							}
						}
					})
					t.Attributes = r.topicAttributes(ctx, c, t.ARN)
					t.Key = r.topicKey(ctx, c, region, t.Attributes)
				})
			}
			wg.Wait()
			return topics, fail.api, fail.err
		})
}

// queues reads the SQS queues of each Region with their ARN and access
// policy: whether SNS may deliver to a queue subscribed to an alert topic.
func (r *accountReader) queues(ctx context.Context) inventory.Fact[[]inventory.Queue] {
	return readRegions(ctx, r, "sqs:ListQueues", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.Queue, string, error) {
			var urls []string
			var err error
			r.do(func() {
				p := sqs.NewListQueuesPaginator(c.queues, &sqs.ListQueuesInput{})
				for p.HasMorePages() {
					var page *sqs.ListQueuesOutput
					if page, err = p.NextPage(ctx); err != nil {
						return
					}
					urls = append(urls, page.QueueUrls...)
				}
			})
			if err != nil {
				return nil, "sqs:ListQueues", err
			}
			queues := make([]inventory.Queue, len(urls))
			var fail first
			var wg sync.WaitGroup
			for i, u := range urls {
				wg.Go(func() {
					r.do(func() {
						out, err := c.queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
							AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy}})
						if err != nil {
							fail.set("sqs:GetQueueAttributes", err)
							return
						}
						queues[i] = inventory.Queue{ARN: out.Attributes["QueueArn"], Policy: out.Attributes["Policy"]}
					})
				})
			}
			wg.Wait()
			// A queue whose attributes were not read is left out; the
			// Region's failure says its queues are not all known.
			read := queues[:0]
			for _, q := range queues {
				if q.ARN != "" {
					read = append(read, q)
				}
			}
			return read, fail.api, fail.err
		})
}

// topicAttributes reads who may publish to a topic: its policy and its
// encryption key. A failed read is kept in the fact, so the checks say the
// topic's delivery is not known, naming the call.
func (r *accountReader) topicAttributes(ctx context.Context, c *regionClients, arn string) *inventory.Fact[inventory.TopicAttributes] {
	f := &inventory.Fact[inventory.TopicAttributes]{}
	r.do(func() {
		out, err := c.topics.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		f.Source = source("sns:GetTopicAttributes", r.col.now(), err)
		if err == nil {
			f.Value = inventory.TopicAttributes{Policy: out.Attributes["Policy"], KMSMasterKeyID: out.Attributes["KmsMasterKeyId"]}
		}
	})
	return f
}

// topicKey reads the customer managed key that encrypts a topic whose
// attributes were read: kms:DescribeKey resolves the topic's
// KmsMasterKeyId (a key ID, key ARN, alias name or alias ARN) to the key
// and says who manages it, and kms:GetKeyPolicy reads the key policy of a
// customer managed key. Both run with the account's session in the
// topic's Region (the key ARN's Region when it names one); a key of
// another account is read with the same session, and a refusal is kept in
// the fact. Nil when the topic is not encrypted or uses alias/aws/sns.
func (r *accountReader) topicKey(ctx context.Context, c *regionClients, region string, attrs *inventory.Fact[inventory.TopicAttributes]) *inventory.Fact[inventory.TopicKey] {
	if attrs == nil || !attrs.Known() {
		return nil
	}
	id := attrs.Value.KMSMasterKeyID
	if id == "" || strings.HasSuffix(id, delivery.AWSManagedSNSKey) {
		return nil
	}
	if p := strings.SplitN(id, ":", 6); len(p) == 6 && p[0] == "arn" && p[3] != "" && p[3] != region {
		c = r.in(p[3])
	}
	f := &inventory.Fact[inventory.TopicKey]{}
	r.do(func() {
		out, err := c.keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		f.Source = source("kms:DescribeKey", r.col.now(), err)
		if err != nil || out.KeyMetadata == nil {
			return
		}
		m := out.KeyMetadata
		f.Value = inventory.TopicKey{ARN: aws.ToString(m.Arn), Manager: string(m.KeyManager)}
		if m.KeyManager == kmstypes.KeyManagerTypeAws {
			return
		}
		pol, err := c.keys.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.Arn, PolicyName: aws.String("default")})
		f.Source = source("kms:GetKeyPolicy", r.col.now(), err)
		if err == nil {
			f.Value.Policy = aws.ToString(pol.Policy)
		}
	})
	return f
}

func subscription(arn, protocol, endpoint *string) inventory.Subscription {
	s := inventory.Subscription{Protocol: aws.ToString(protocol), Endpoint: aws.ToString(endpoint)}
	if a := aws.ToString(arn); strings.HasPrefix(a, "arn:") {
		s.ARN, s.Confirmed = a, true
	}
	return s
}

// eventRules reads the rules of the default event bus of each Region (the
// only bus CloudTrail events reach) with their targets and the targets'
// IAM roles.
func (r *accountReader) eventRules(ctx context.Context) inventory.Fact[[]inventory.EventRule] {
	return readRegions(ctx, r, "events:ListRules", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.EventRule, string, error) {
			var rules []inventory.EventRule
			var err error
			r.do(func() {
				in := &eventbridge.ListRulesInput{}
				for {
					var page *eventbridge.ListRulesOutput
					if page, err = c.rules.ListRules(ctx, in); err != nil {
						return
					}
					for _, ru := range page.Rules {
						rules = append(rules, inventory.EventRule{
							Name:         aws.ToString(ru.Name),
							ARN:          aws.ToString(ru.Arn),
							Region:       region,
							EventBusName: aws.ToString(ru.EventBusName),
							State:        string(ru.State),
							EventPattern: aws.ToString(ru.EventPattern),
							Targets:      []string{},
						})
					}
					if aws.ToString(page.NextToken) == "" {
						return
					}
					in.NextToken = page.NextToken
				}
			})
			if err != nil {
				return nil, "events:ListRules", err
			}
			var fail first
			var wg sync.WaitGroup
			for i := range rules {
				ru := &rules[i]
				wg.Go(func() {
					r.do(func() {
						in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(ru.Name)}
						if ru.EventBusName != "" {
							in.EventBusName = aws.String(ru.EventBusName)
						}
						for {
							page, err := c.rules.ListTargetsByRule(ctx, in)
							if err != nil {
								fail.set("events:ListTargetsByRule", err)
								return
							}
							for _, t := range page.Targets {
								arn := aws.ToString(t.Arn)
								ru.Targets = append(ru.Targets, arn)
								if ru.TargetRoles == nil {
									ru.TargetRoles = map[string]string{}
								}
								if ru.TargetRoles[arn] == "" {
									// Two targets with one ARN: either role
									// lets the events in.
									ru.TargetRoles[arn] = aws.ToString(t.RoleArn)
								}
							}
							if aws.ToString(page.NextToken) == "" {
								return
							}
							in.NextToken = page.NextToken
						}
					})
				})
			}
			wg.Wait()
			return rules, fail.api, fail.err
		})
}

// eventBuses reads the default event bus of each Region with its resource
// policy.
func (r *accountReader) eventBuses(ctx context.Context) inventory.Fact[[]inventory.EventBus] {
	return readRegions(ctx, r, "events:DescribeEventBus", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.EventBus, string, error) {
			var out *eventbridge.DescribeEventBusOutput
			var err error
			r.do(func() { out, err = c.buses.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{}) })
			if err != nil {
				return nil, "events:DescribeEventBus", err
			}
			name := aws.ToString(out.Name)
			if name == "" {
				name = "default"
			}
			return []inventory.EventBus{{Region: region, Name: name, ARN: aws.ToString(out.Arn), Policy: aws.ToString(out.Policy)}}, "", nil
		})
}

// detectors reads the GuardDuty detectors of each Region and their status.
func (r *accountReader) detectors(ctx context.Context) inventory.Fact[[]inventory.Detector] {
	return readRegions(ctx, r, "guardduty:ListDetectors", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]inventory.Detector, string, error) {
			var ds []inventory.Detector
			var err error
			r.do(func() {
				p := guardduty.NewListDetectorsPaginator(c.detectors, &guardduty.ListDetectorsInput{})
				for p.HasMorePages() {
					var page *guardduty.ListDetectorsOutput
					if page, err = p.NextPage(ctx); err != nil {
						return
					}
					for _, id := range page.DetectorIds {
						ds = append(ds, inventory.Detector{Region: region, ID: id})
					}
				}
			})
			if err != nil {
				return nil, "guardduty:ListDetectors", err
			}
			var fail first
			var wg sync.WaitGroup
			for i := range ds {
				d := &ds[i]
				wg.Go(func() {
					r.do(func() {
						out, err := c.detectors.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(d.ID)})
						if err != nil {
							fail.set("guardduty:GetDetector", err)
							return
						}
						d.Status = string(out.Status)
					})
				})
			}
			wg.Wait()
			return ds, fail.api, fail.err
		})
}

// hostedZones reads the account's Route 53 hosted zones. IDs are given
// without their "/hostedzone/" prefix.
func (r *accountReader) hostedZones(ctx context.Context) inventory.Fact[[]inventory.HostedZone] {
	at := r.col.now()
	const api = "route53:ListHostedZones"
	c := r.in(globalRegion)
	zones := []inventory.HostedZone{}
	var err error
	r.do(func() {
		p := route53.NewListHostedZonesPaginator(c.zones, &route53.ListHostedZonesInput{})
		for p.HasMorePages() {
			var page *route53.ListHostedZonesOutput
			if page, err = p.NextPage(ctx); err != nil {
				return
			}
			for _, z := range page.HostedZones {
				hz := inventory.HostedZone{ID: strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"), Name: aws.ToString(z.Name)}
				if z.Config != nil {
					hz.Private = z.Config.PrivateZone
				}
				zones = append(zones, hz)
			}
		}
	})
	if err != nil {
		return inventory.Fact[[]inventory.HostedZone]{Source: source(api, at, err)}
	}
	slices.SortFunc(zones, func(x, y inventory.HostedZone) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return inventory.Fact[[]inventory.HostedZone]{Value: zones, Source: inventory.Source{API: api, At: at}}
}

// registeredDomains reads the domains registered through Route 53 Domains,
// whose API lives in us-east-1 only: their names, and how each is kept
// (auto-renew, transfer lock, expiry).
func (r *accountReader) registeredDomains(ctx context.Context) (inventory.Fact[[]string], inventory.Fact[[]inventory.Registration]) {
	at := r.col.now()
	const api = "route53domains:ListDomains"
	c := r.in(globalRegion)
	names := []string{}
	regs := []inventory.Registration{}
	var err error
	r.do(func() {
		p := route53domains.NewListDomainsPaginator(c.domains, &route53domains.ListDomainsInput{})
		for p.HasMorePages() {
			var page *route53domains.ListDomainsOutput
			if page, err = p.NextPage(ctx); err != nil {
				return
			}
			for _, d := range page.Domains {
				names = append(names, aws.ToString(d.DomainName))
				regs = append(regs, inventory.Registration{Domain: aws.ToString(d.DomainName), AutoRenew: d.AutoRenew,
					TransferLock: d.TransferLock, Expiry: d.Expiry})
			}
		}
	})
	if err != nil {
		return inventory.Fact[[]string]{Source: source(api, at, err)}, inventory.Fact[[]inventory.Registration]{Source: source(api, at, err)}
	}
	slices.Sort(names)
	slices.SortFunc(regs, func(x, y inventory.Registration) int { return strings.Compare(x.Domain, y.Domain) })
	src := inventory.Source{API: api, At: at}
	return inventory.Fact[[]string]{Value: slices.Compact(names), Source: src}, inventory.Fact[[]inventory.Registration]{Value: regs, Source: src}
}

// sesRecipients reads the recipients of the enabled rules of the active SES
// receipt rule set in each Region. No active rule set means no recipients.
// An enabled rule without recipients receives for every verified domain of
// the account in its Region, so those domains are its recipients
// (ses:ListIdentities, ses:GetIdentityVerificationAttributes).
func (r *accountReader) sesRecipients(ctx context.Context) inventory.Fact[[]string] {
	f := readRegions(ctx, r, "ses:DescribeActiveReceiptRuleSet", r.regions,
		func(ctx context.Context, c *regionClients, region string) ([]string, string, error) {
			var out *ses.DescribeActiveReceiptRuleSetOutput
			var err error
			r.do(func() {
				out, err = c.receipts.DescribeActiveReceiptRuleSet(ctx, &ses.DescribeActiveReceiptRuleSetInput{})
			})
			if err != nil {
				return nil, "ses:DescribeActiveReceiptRuleSet", err
			}
			var rcpts []string
			catchAll := false
			for _, rule := range out.Rules {
				if rule.Enabled {
					rcpts = append(rcpts, rule.Recipients...)
					catchAll = catchAll || len(rule.Recipients) == 0
				}
			}
			if !catchAll {
				return rcpts, "", nil
			}
			domains, api, err := r.verifiedDomains(ctx, c)
			return append(rcpts, domains...), api, err
		})
	f.Value = sortedSet(f.Value)
	return f
}

// verifiedDomains lists the SES domain identities of one Region whose
// verification succeeded; on failure it names the call that failed.
func (r *accountReader) verifiedDomains(ctx context.Context, c *regionClients) ([]string, string, error) {
	var ids []string
	p := ses.NewListIdentitiesPaginator(c.receipts, &ses.ListIdentitiesInput{IdentityType: sestypes.IdentityTypeDomain})
	for p.HasMorePages() {
		var page *ses.ListIdentitiesOutput
		var err error
		r.do(func() { page, err = p.NextPage(ctx) })
		if err != nil {
			return nil, "ses:ListIdentities", err
		}
		ids = append(ids, page.Identities...)
	}
	var verified []string
	for batch := range slices.Chunk(ids, 100) {
		var out *ses.GetIdentityVerificationAttributesOutput
		var err error
		r.do(func() {
			out, err = c.receipts.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: batch})
		})
		if err != nil {
			return nil, "ses:GetIdentityVerificationAttributes", err
		}
		for _, id := range batch {
			if v, ok := out.VerificationAttributes[id]; ok && v.VerificationStatus == sestypes.VerificationStatusSuccess {
				verified = append(verified, id)
			}
		}
	}
	return verified, "", nil
}

// workMailDomains reads the mail domains of the account's WorkMail
// organizations in the collected Regions WorkMail is offered in. A deleted
// organization is skipped.
func (r *accountReader) workMailDomains(ctx context.Context) inventory.Fact[[]string] {
	var regions []string
	for _, reg := range r.regions {
		if slices.Contains(workMailRegions, reg) {
			regions = append(regions, reg)
		}
	}
	f := readRegions(ctx, r, "workmail:ListOrganizations", regions,
		func(ctx context.Context, c *regionClients, region string) ([]string, string, error) {
			var orgs []string
			var err error
			r.do(func() {
				p := workmail.NewListOrganizationsPaginator(c.workmail, &workmail.ListOrganizationsInput{})
				for p.HasMorePages() {
					var page *workmail.ListOrganizationsOutput
					if page, err = p.NextPage(ctx); err != nil {
						return
					}
					for _, o := range page.OrganizationSummaries {
						if s := aws.ToString(o.State); strings.EqualFold(s, "Deleted") || strings.EqualFold(s, "Deleting") {
							continue
						}
						orgs = append(orgs, aws.ToString(o.OrganizationId))
					}
				}
			})
			if err != nil {
				return nil, "workmail:ListOrganizations", err
			}
			got := make([][]string, len(orgs))
			var fail first
			var wg sync.WaitGroup
			for i, id := range orgs {
				wg.Go(func() {
					r.do(func() {
						p := workmail.NewListMailDomainsPaginator(c.workmail, &workmail.ListMailDomainsInput{OrganizationId: aws.String(id)})
						for p.HasMorePages() {
							page, err := p.NextPage(ctx)
							if err != nil {
								fail.set("workmail:ListMailDomains", err)
								return
							}
							for _, d := range page.MailDomains {
								got[i] = append(got[i], aws.ToString(d.DomainName))
							}
						}
					})
				})
			}
			wg.Wait()
			return slices.Concat(got...), fail.api, fail.err
		})
	f.Value = sortedSet(f.Value)
	return f
}

// sortedSet sorts names and drops duplicates; never nil.
func sortedSet(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return orEmpty(slices.Compact(out))
}
