package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/sync/errgroup"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/inventory"
)

// DefaultConcurrency is how many accounts are collected at once. Each
// account also runs its own calls in parallel (its root user's about six at
// a time, its own resources at most accountCalls at a time, in its own
// session), so this keeps well under the request rates AWS allows for IAM,
// STS and Organizations while finishing 1,000 accounts in seconds.
const DefaultConcurrency = 16

// DefaultRole is the role assumed in member accounts to read their own
// resources (trails, alarms, hosted zones…): the role AWS Organizations
// creates in the accounts it creates.
const DefaultRole = "OrganizationAccountAccessRole"

// Options says what to collect and how.
type Options struct {
	// Org collects the whole organization from the management account or a
	// delegated administrator. Otherwise only the caller's own account is
	// collected, as a standalone account.
	Org bool
	// Accounts limits an organization run to these account IDs; empty means
	// every account.
	Accounts []string
	// Concurrency is the number of accounts in flight; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Role is the name of the role assumed (sts:AssumeRole) in each
	// account other than the caller's own to read its trails, alarms,
	// topics, rules, detectors and mail domains; empty means DefaultRole.
	Role string
	// Regions are the Regions whose regional facts (trails, alarms, SNS
	// topics, EventBridge rules, GuardDuty detectors, SES receipt rules)
	// are read. SignInRegion is always added; empty means each account's
	// enabled Regions (account:ListRegions), or SignInRegion and the
	// configuration's Region where those cannot be read. Duplicates are
	// dropped.
	Regions []string
	// Now is the clock for CollectedAt and every Source.At; nil means
	// time.Now.
	Now func() time.Time
	// Sleep waits between credential report polls; nil waits on a timer.
	// It must return ctx's error when ctx ends first.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress is called after each account completes, one call at a time,
	// with done counting up to total.
	Progress func(done, total int)
	// Logger receives debug and warning records; nil discards them.
	Logger *slog.Logger
}

// Error codes the collector records itself (the others come from AWS, see
// awsclient.ErrorCode).
const (
	// CodeNotCallerAccount: the management account's root user and
	// contacts are readable only from inside it, and the run used a
	// delegated administrator account.
	CodeNotCallerAccount = "NotCallerAccount"
	// CodeInvalidReport: the credential report could not be parsed.
	CodeInvalidReport = "InvalidCredentialReport"
	// CodeReportNotReady: the credential report did not complete in time.
	CodeReportNotReady = "CredentialReportNotReady"
)

// The client interfaces below are the calls the collector makes, so that
// unit tests can substitute fakes; paginated calls use the SDK's own
// ListXxxAPIClient interfaces.

type stsAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	awsclient.AssumeRootAPI
	awsclient.AssumeRoleAPI
}

type orgAPI interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribeAccount(context.Context, *organizations.DescribeAccountInput, ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	organizations.ListRootsAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
	organizations.ListAccountsAPIClient
	organizations.ListAWSServiceAccessForOrganizationAPIClient
	organizations.ListPoliciesAPIClient
	organizations.ListTargetsForPolicyAPIClient
	organizations.ListDelegatedAdministratorsAPIClient
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

// callerIAM is IAM with the caller's own credentials.
type callerIAM interface {
	ListOrganizationsFeatures(context.Context, *iam.ListOrganizationsFeaturesInput, ...func(*iam.Options)) (*iam.ListOrganizationsFeaturesOutput, error)
	summaryAPI
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	iam.ListVirtualMFADevicesAPIClient
}

type summaryAPI interface {
	GetAccountSummary(context.Context, *iam.GetAccountSummaryInput, ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

// rootIAM is IAM in an sts:AssumeRoot audit session.
type rootIAM interface {
	summaryAPI
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	iam.ListAccessKeysAPIClient
	iam.ListSigningCertificatesAPIClient
	iam.ListMFADevicesAPIClient
}

type contactAPI interface {
	GetContactInformation(context.Context, *account.GetContactInformationInput, ...func(*account.Options)) (*account.GetContactInformationOutput, error)
	GetAlternateContact(context.Context, *account.GetAlternateContactInput, ...func(*account.Options)) (*account.GetAlternateContactOutput, error)
}

// clients are the AWS clients of one run.
type clients struct {
	sts     stsAPI
	org     orgAPI
	iam     callerIAM
	account contactAPI
	// rootSession opens an audit root session in a member account.
	rootSession func(accountID string) aws.CredentialsProvider
	// rootIAM is an IAM client using a root session's credentials.
	rootIAM func(creds aws.CredentialsProvider) rootIAM
	// roleSession opens a session in a role of a member account.
	roleSession func(roleARN string) aws.CredentialsProvider
	// regional returns the clients reading an account's own resources in
	// one Region, with creds (nil: the caller's own credentials).
	regional func(creds aws.CredentialsProvider, region string) *regionClients
	// region is the configuration's Region.
	region string
}

func newClients(cfg aws.Config) clients {
	stsc := sts.NewFromConfig(cfg)
	return clients{
		sts:     stsc,
		org:     organizations.NewFromConfig(cfg),
		iam:     iam.NewFromConfig(cfg),
		account: account.NewFromConfig(cfg),
		rootSession: func(id string) aws.CredentialsProvider {
			return awsclient.AssumeRoot(stsc, id, awsclient.TaskAuditRootUserCredentials)
		},
		rootIAM: func(creds aws.CredentialsProvider) rootIAM {
			return iam.NewFromConfig(cfg, func(o *iam.Options) { o.Credentials = creds })
		},
		roleSession: func(roleARN string) aws.CredentialsProvider {
			return awsclient.AssumeRole(stsc, roleARN)
		},
		regional: func(creds aws.CredentialsProvider, region string) *regionClients {
			return newRegionClients(cfg, creds, region)
		},
		region: cfg.Region,
	}
}

// Run reads, without changing anything, every fact rootguard assesses:
// the caller, the organization (with opts.Org: its tree, features, trusted
// services and service control policies) and each account's root
// credentials, contacts, detective controls and mail domains. An account's
// own resources are read with the caller's credentials in the caller's
// account and through sts:AssumeRole into opts.Role in every other one.
// A call that fails is recorded in its fact's Source and collection goes
// on; Run returns an error only when it cannot start (no credentials,
// sts:GetCallerIdentity or, with opts.Org, organizations:DescribeOrganization
// or ListAccounts failing, an unknown account in opts.Accounts, a malformed
// opts.Role) or when ctx ends. Accounts are sorted by ID.
func Run(ctx context.Context, cfg aws.Config, opts Options) (*inventory.Snapshot, error) {
	return run(ctx, newClients(cfg), opts)
}

type collector struct {
	c      clients
	opts   Options
	log    *slog.Logger
	caller string // the caller's account ID
	// partition is the caller's ARN partition (aws, aws-cn, aws-us-gov),
	// for the role ARNs of member accounts.
	partition string
	// regions are the Regions whose regional facts are read in every
	// account (opts.Regions); nil means each account's enabled Regions.
	regions []string

	// delegated are the delegated administrators of centralized root
	// access, read before the accounts.
	delegated []string

	mu sync.Mutex
	// read are the Regions whose regional facts were read in some account.
	read []string
}

func run(ctx context.Context, c clients, opts Options) (*inventory.Snapshot, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Role == "" {
		opts.Role = DefaultRole
	}
	if len(opts.Accounts) > 0 && !opts.Org {
		return nil, errors.New("collect: an account list needs organization mode")
	}
	if strings.ContainsAny(opts.Role, ":*? ") {
		return nil, fmt.Errorf("collect: role %q: want a role name or path/name, not an ARN or pattern", opts.Role)
	}
	col := &collector{c: c, opts: opts, log: opts.Logger}
	if len(opts.Regions) > 0 {
		col.regions = Regions(opts.Regions, c.region)
	}

	snap := &inventory.Snapshot{Schema: inventory.Schema, CollectedAt: col.now(), Mode: inventory.ModeStandalone}
	at := col.now()
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("collect: identify the caller (sts:GetCallerIdentity): %w", err)
	}
	col.caller = aws.ToString(id.Account)
	col.partition = arnPartition(aws.ToString(id.Arn))
	snap.Caller = inventory.Fact[inventory.Caller]{
		Value:  inventory.Caller{AccountID: col.caller, ARN: aws.ToString(id.Arn)},
		Source: inventory.Source{API: "sts:GetCallerIdentity", At: at},
	}
	col.log.Debug("caller identified", "account_id", col.caller, "arn", aws.ToString(id.Arn))

	if opts.Org {
		snap.Mode = inventory.ModeOrganization
		snap.Organization, snap.Accounts, err = col.organization(ctx)
	} else {
		snap.Organization, snap.Accounts, err = col.standalone(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := col.accounts(ctx, snap.Accounts); err != nil {
		return nil, err
	}
	snap.Regions = col.read
	if snap.Regions == nil {
		snap.Regions = slices.Sorted(slices.Values(Regions(opts.Regions, c.region)))
	}
	snap.Sort()
	return snap, nil
}

func (col *collector) now() time.Time { return col.opts.Now().UTC() }

// source builds the Source of a call made at at that returned err.
// readIn records that regional facts were read in regions.
func (col *collector) readIn(regions []string) {
	col.mu.Lock()
	defer col.mu.Unlock()
	for _, r := range regions {
		if !slices.Contains(col.read, r) {
			col.read = append(col.read, r)
		}
	}
	slices.Sort(col.read)
}

func source(api string, at time.Time, err error) inventory.Source {
	s := inventory.Source{API: api, At: at}
	if err != nil {
		s.Error = callError(err)
	}
	return s
}

func callError(err error) *inventory.CallError {
	var ce *inventory.CallError
	if errors.As(err, &ce) {
		return ce
	}
	return &inventory.CallError{Code: awsclient.ErrorCode(err), Message: awsclient.ErrorMessage(err)}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// standalone describes the caller's own account. If that account belongs to
// an organization it is still assessed directly; the organization is noted
// (without its tree) and the account's role says whether it manages it.
func (col *collector) standalone(ctx context.Context) (*inventory.Organization, []inventory.Account, error) {
	acct := inventory.Account{ID: col.caller, Role: inventory.RoleStandalone}
	out, err := col.c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case err == nil && out.Organization != nil:
		org := newOrganization(out.Organization)
		acct.Role = inventory.RoleMember
		if org.ManagementAccountID == col.caller {
			acct.Role = inventory.RoleManagement
			col.describeSelf(ctx, &acct)
		}
		col.log.Info("account belongs to an organization; assessing it alone", "account_id", col.caller,
			"org_id", org.ID, "role", acct.Role)
		return org, []inventory.Account{acct}, nil
	case err != nil && awsclient.ErrorCode(err) != awsclient.CodeNotInOrganization:
		col.log.Warn("cannot tell whether the account belongs to an organization", "account_id", col.caller,
			"error", err)
	}
	return nil, []inventory.Account{acct}, nil
}

// newOrganization is what organizations:DescribeOrganization says of the
// organization.
func newOrganization(o *orgtypes.Organization) *inventory.Organization {
	return &inventory.Organization{
		ID:                  aws.ToString(o.Id),
		ARN:                 aws.ToString(o.Arn),
		FeatureSet:          string(o.FeatureSet),
		ManagementAccountID: aws.ToString(o.MasterAccountId),
	}
}

// describeSelf fills the management account's name, state and root email
// from organizations:DescribeAccount.
func (col *collector) describeSelf(ctx context.Context, a *inventory.Account) {
	at := col.now()
	out, err := col.c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(a.ID)})
	a.RootEmail.Source = source("organizations:DescribeAccount", at, err)
	if err != nil || out.Account == nil {
		return
	}
	a.Name = aws.ToString(out.Account.Name)
	a.ARN = aws.ToString(out.Account.Arn)
	a.State = accountState(*out.Account)
	a.Joined = string(out.Account.JoinedMethod)
	a.RootEmail.Value = aws.ToString(out.Account.Email)
}

// enabledPolicyTypes lists a root's policy types whose status is ENABLED,
// sorted.
func enabledPolicyTypes(ts []orgtypes.PolicyTypeSummary) []string {
	var out []string
	for _, t := range ts {
		if t.Status == orgtypes.PolicyTypeStatusEnabled {
			out = append(out, string(t.Type))
		}
	}
	slices.Sort(out)
	return out
}

func accountState(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	return string(a.Status) //nolint:staticcheck // Status is retired but older answers carry only it
}

// organization reads the organization, its OU tree and the accounts to
// collect.
func (col *collector) organization(ctx context.Context) (*inventory.Organization, []inventory.Account, error) {
	out, err := col.c.org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, nil, fmt.Errorf("collect: describe the organization (organizations:DescribeOrganization): %w", err)
	}
	if out.Organization == nil {
		return nil, nil, errors.New("collect: organizations:DescribeOrganization answered no organization")
	}
	org := newOrganization(out.Organization)

	// The tree, the features and the trusted services are read while the
	// accounts are listed.
	var parents map[string]string
	var wg sync.WaitGroup
	wg.Go(func() { org.Units, parents = col.units(ctx) })
	wg.Go(func() { org.Features = col.features(ctx) })
	wg.Go(func() { org.TrustedServices = col.trustedServices(ctx) })
	wg.Go(func() { org.Policies = col.policies(ctx) })
	wg.Go(func() { org.DelegatedAdministrators = col.delegatedAdministrators(ctx) })
	listAt := col.now()
	listed, err := col.listAccounts(ctx)
	wg.Wait()
	if err != nil {
		return nil, nil, fmt.Errorf("collect: list the accounts of organization %s (organizations:ListAccounts): %w", org.ID, err)
	}
	col.delegated = org.DelegatedAdministrators.Value
	listed, err = selectAccounts(listed, col.opts.Accounts, org.ID)
	if err != nil {
		return nil, nil, err
	}

	accts := make([]inventory.Account, 0, len(listed))
	for _, la := range listed {
		a := inventory.Account{
			ID:       aws.ToString(la.Id),
			Name:     aws.ToString(la.Name),
			ARN:      aws.ToString(la.Arn),
			State:    accountState(la),
			Joined:   string(la.JoinedMethod),
			Role:     inventory.RoleMember,
			ParentID: parents[aws.ToString(la.Id)],
			RootEmail: inventory.Fact[string]{
				Value:  aws.ToString(la.Email),
				Source: inventory.Source{API: "organizations:ListAccounts", At: listAt},
			},
		}
		if a.ID == org.ManagementAccountID {
			a.Role = inventory.RoleManagement
		}
		accts = append(accts, a)
	}
	return org, accts, nil
}

func (col *collector) listAccounts(ctx context.Context) ([]orgtypes.Account, error) {
	var listed []orgtypes.Account
	p := organizations.NewListAccountsPaginator(col.c.org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		listed = append(listed, page.Accounts...)
	}
	return listed, nil
}

// selectAccounts keeps the accounts whose IDs are in want (all when want is
// empty) and fails on an ID the organization does not have.
func selectAccounts(listed []orgtypes.Account, want []string, orgID string) ([]orgtypes.Account, error) {
	if len(want) == 0 {
		return listed, nil
	}
	byID := make(map[string]orgtypes.Account, len(listed))
	for _, a := range listed {
		byID[aws.ToString(a.Id)] = a
	}
	var out []orgtypes.Account
	var unknown []string
	seen := map[string]bool{}
	for _, id := range want {
		id = strings.TrimSpace(id)
		if seen[id] {
			continue
		}
		seen[id] = true
		a, ok := byID[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		out = append(out, a)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("collect: account %s not in organization %s", strings.Join(unknown, ", "), orgID)
	}
	return out, nil
}

// units walks the organization tree breadth first, so parents come before
// children, and records each account's direct parent.
func (col *collector) units(ctx context.Context) (inventory.Fact[[]inventory.OrgUnit], map[string]string) {
	at := col.now()
	var units []inventory.OrgUnit
	parents := map[string]string{}
	fail := func(api string, err error) (inventory.Fact[[]inventory.OrgUnit], map[string]string) {
		return inventory.Fact[[]inventory.OrgUnit]{Source: source(api, at, err)}, parents
	}

	rp := organizations.NewListRootsPaginator(col.c.org, &organizations.ListRootsInput{})
	var level []string
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return fail("organizations:ListRoots", err)
		}
		for _, r := range page.Roots {
			units = append(units, inventory.OrgUnit{ID: aws.ToString(r.Id), Name: aws.ToString(r.Name), PolicyTypes: enabledPolicyTypes(r.PolicyTypes)})
			level = append(level, aws.ToString(r.Id))
		}
	}

	type children struct {
		ous      []inventory.OrgUnit
		accounts []string
	}
	for len(level) > 0 {
		got := make([]children, len(level))
		var g errgroup.Group
		g.SetLimit(col.opts.Concurrency)
		var failed first
		for i, parent := range level {
			g.Go(func() error {
				ous, accts, api, err := col.childrenOf(ctx, parent)
				if err != nil {
					failed.set(api, err)
					return err
				}
				got[i] = children{ous: ous, accounts: accts}
				return nil
			})
		}
		_ = g.Wait()
		if failed.err != nil {
			return fail(failed.api, failed.err)
		}
		var next []string
		for i, parent := range level {
			for _, id := range got[i].accounts {
				parents[id] = parent
			}
			units = append(units, got[i].ous...)
			for _, ou := range got[i].ous {
				next = append(next, ou.ID)
			}
		}
		level = next
	}
	return inventory.Fact[[]inventory.OrgUnit]{Value: units, Source: inventory.Source{API: "organizations:ListOrganizationalUnitsForParent", At: at}}, parents
}

// childrenOf lists the OUs (sorted by ID) and accounts directly under parent.
// On error it also returns the API that failed.
func (col *collector) childrenOf(ctx context.Context, parent string) ([]inventory.OrgUnit, []string, string, error) {
	var ous []inventory.OrgUnit
	op := organizations.NewListOrganizationalUnitsForParentPaginator(col.c.org,
		&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		if err != nil {
			return nil, nil, "organizations:ListOrganizationalUnitsForParent", err
		}
		for _, ou := range page.OrganizationalUnits {
			ous = append(ous, inventory.OrgUnit{ID: aws.ToString(ou.Id), Name: aws.ToString(ou.Name), ParentID: parent})
		}
	}
	sort.Slice(ous, func(i, j int) bool { return ous[i].ID < ous[j].ID })
	var accts []string
	ap := organizations.NewListAccountsForParentPaginator(col.c.org,
		&organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, nil, "organizations:ListAccountsForParent", err
		}
		for _, a := range page.Accounts {
			accts = append(accts, aws.ToString(a.Id))
		}
	}
	return ous, accts, "", nil
}

func (col *collector) features(ctx context.Context) inventory.Fact[[]string] {
	at := col.now()
	out, err := col.c.iam.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
	f := inventory.Fact[[]string]{Source: source("iam:ListOrganizationsFeatures", at, err)}
	if err != nil {
		return f
	}
	f.Value = []string{}
	for _, feat := range out.EnabledFeatures {
		f.Value = append(f.Value, string(feat))
	}
	slices.Sort(f.Value)
	return f
}

func (col *collector) trustedServices(ctx context.Context) inventory.Fact[[]string] {
	at := col.now()
	const api = "organizations:ListAWSServiceAccessForOrganization"
	p := organizations.NewListAWSServiceAccessForOrganizationPaginator(col.c.org,
		&organizations.ListAWSServiceAccessForOrganizationInput{})
	svcs := []string{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]string]{Source: source(api, at, err)}
		}
		for _, s := range page.EnabledServicePrincipals {
			svcs = append(svcs, aws.ToString(s.ServicePrincipal))
		}
	}
	slices.Sort(svcs)
	return inventory.Fact[[]string]{Value: svcs, Source: inventory.Source{API: api, At: at}}
}

// accounts collects every account, opts.Concurrency at a time.
func (col *collector) accounts(ctx context.Context, accts []inventory.Account) error {
	var g errgroup.Group
	g.SetLimit(col.opts.Concurrency)
	var mu sync.Mutex
	done := 0
	for i := range accts {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			col.account(ctx, &accts[i])
			if col.opts.Progress != nil {
				mu.Lock()
				done++
				col.opts.Progress(done, len(accts))
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	return nil
}

// skippedStates are account states in which no call is made.
var skippedStates = map[string]bool{"SUSPENDED": true, "PENDING_CLOSURE": true, "CLOSED": true}

func (col *collector) account(ctx context.Context, a *inventory.Account) {
	if skippedStates[a.State] {
		a.Skipped = "account is " + a.State + ": no calls made"
		col.log.Debug("account skipped", "account_id", a.ID, "state", a.State)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { col.contacts(ctx, a) })
	wg.Go(func() { col.ownResources(ctx, a) })
	switch {
	case a.ID == col.caller:
		col.rootDirect(ctx, a)
	case a.Role == inventory.RoleMember:
		col.rootAssumed(ctx, a)
	default:
		col.rootUnreachable(a)
	}
	wg.Wait()
	col.log.Debug("account collected", "account_id", a.ID, "role", a.Role, "method", a.Root.Method)
}

// notCaller is the error recorded for a fact of the management account when
// the run is made from a delegated administrator.
func (col *collector) notCaller(a *inventory.Account, api string) inventory.Source {
	return inventory.Source{API: api, At: col.now(), Error: &inventory.CallError{
		Code: CodeNotCallerAccount,
		Message: fmt.Sprintf("account %s is read only with its own credentials; this run uses account %s",
			a.ID, col.caller),
	}}
}
