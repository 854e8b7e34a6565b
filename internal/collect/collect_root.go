package collect

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/inventory"
)

// Credential report polling: the first wait, the longest wait, and the
// number of polls before giving up. AWS usually completes a report within
// seconds and returns a cached one for four hours.
const (
	reportFirstWait = 250 * time.Millisecond
	reportMaxWait   = 4 * time.Second
	reportMaxPolls  = 30
)

// rootDirect reads the root user of the caller's own account (management or
// standalone) with the caller's credentials.
func (col *collector) rootDirect(ctx context.Context, a *inventory.Account) {
	r := &a.Root
	r.Method = inventory.MethodDirect
	var wg sync.WaitGroup
	wg.Go(func() { r.Summary = col.summary(ctx, col.c.iam) })
	wg.Go(func() { col.credentialReport(ctx, a) })
	wg.Go(func() { r.VirtualMFADevices = col.virtualMFA(ctx, a.ID) })
	wg.Wait()
}

// rootUnreachable marks the direct-method facts of an account the run cannot
// read directly (the management account, seen from a delegated administrator).
func (col *collector) rootUnreachable(a *inventory.Account) {
	r := &a.Root
	r.Method = inventory.MethodDirect
	r.Summary.Source = col.notCaller(a, "iam:GetAccountSummary")
	r.CredentialReport.Source = col.notCaller(a, "iam:GetCredentialReport")
	r.AccessKeys.Source = r.CredentialReport.Source
	r.SigningCertificates.Source = r.CredentialReport.Source
	r.VirtualMFADevices.Source = col.notCaller(a, "iam:ListVirtualMFADevices")
}

func (col *collector) summary(ctx context.Context, c summaryAPI) inventory.Fact[inventory.AccountSummary] {
	at := col.now()
	out, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	f := inventory.Fact[inventory.AccountSummary]{Source: source("iam:GetAccountSummary", at, err)}
	if err != nil {
		return f
	}
	m := out.SummaryMap
	f.Value = inventory.AccountSummary{
		AccountMFAEnabled:                 int(m[string(iamtypes.SummaryKeyTypeAccountMFAEnabled)]),
		AccountAccessKeysPresent:          int(m[string(iamtypes.SummaryKeyTypeAccountAccessKeysPresent)]),
		AccountPasswordPresent:            int(m["AccountPasswordPresent"]),
		AccountSigningCertificatesPresent: int(m[string(iamtypes.SummaryKeyTypeAccountSigningCertificatesPresent)]),
		MFADevices:                        int(m[string(iamtypes.SummaryKeyTypeMFADevices)]),
		MFADevicesInUse:                   int(m[string(iamtypes.SummaryKeyTypeMFADevicesInUse)]),
	}
	return f
}

// credentialReport generates the credential report, waits for it, and keeps
// the root row; the root access keys and signing certificates are derived
// from that row and share its source.
func (col *collector) credentialReport(ctx context.Context, a *inventory.Account) {
	r := &a.Root
	setAll := func(s inventory.Source) {
		r.CredentialReport.Source = s
		r.AccessKeys.Source = s
		r.SigningCertificates.Source = s
	}
	at := col.now()
	out, api, err := col.fetchReport(ctx)
	if err != nil {
		setAll(source(api, at, err))
		return
	}
	invalid := func(err error) {
		setAll(inventory.Source{API: api, At: at, Error: &inventory.CallError{Code: CodeInvalidReport, Message: err.Error()}})
	}
	rep, err := inventory.ParseCredentialReport(out.Content)
	if err != nil {
		invalid(err)
		return
	}
	root, err := rep.Root()
	if err != nil {
		invalid(err)
		return
	}
	row := &inventory.CredentialReportRow{GeneratedTime: utc(out.GeneratedTime), Columns: root}
	setAll(inventory.Source{API: api, At: at})
	r.CredentialReport.Value = row
	if keys, err := row.AccessKeys(); err != nil {
		r.AccessKeys.Source.Error = &inventory.CallError{Code: CodeInvalidReport, Message: err.Error()}
	} else {
		r.AccessKeys.Value = orEmpty(keys)
	}
	if certs, err := row.SigningCertificates(); err != nil {
		r.SigningCertificates.Source.Error = &inventory.CallError{Code: CodeInvalidReport, Message: err.Error()}
	} else {
		r.SigningCertificates.Value = orEmpty(certs)
	}
}

// fetchReport polls iam:GenerateCredentialReport with a growing wait until
// the report is COMPLETE, then reads it. On error it also returns the API
// that failed.
func (col *collector) fetchReport(ctx context.Context) (*iam.GetCredentialReportOutput, string, error) {
	wait := reportFirstWait
	for poll := 1; ; poll++ {
		gen, err := col.c.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, "iam:GenerateCredentialReport", err
		}
		if gen.State == iamtypes.ReportStateTypeComplete {
			out, err := col.c.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			switch {
			case err == nil:
				return out, "iam:GetCredentialReport", nil
			case awsclient.ErrorCode(err) != "ReportInProgress":
				return nil, "iam:GetCredentialReport", err
			}
		}
		if poll == reportMaxPolls {
			return nil, "iam:GenerateCredentialReport", &inventory.CallError{Code: CodeReportNotReady,
				Message: fmt.Sprintf("credential report still %s after %d polls", gen.State, poll)}
		}
		if err := col.opts.Sleep(ctx, wait); err != nil {
			return nil, "iam:GenerateCredentialReport", err
		}
		wait = min(2*wait, reportMaxWait)
	}
}

// virtualMFA lists the account's virtual MFA devices and keeps those
// assigned to the root user, matched on the user ARN exactly.
func (col *collector) virtualMFA(ctx context.Context, accountID string) inventory.Fact[[]inventory.MFADevice] {
	at := col.now()
	const api = "iam:ListVirtualMFADevices"
	rootARN := inventory.RootARN(accountID)
	devs := []inventory.MFADevice{}
	p := iam.NewListVirtualMFADevicesPaginator(col.c.iam, &iam.ListVirtualMFADevicesInput{
		AssignmentStatus: iamtypes.AssignmentStatusTypeAny,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]inventory.MFADevice]{Source: source(api, at, err)}
		}
		for _, d := range page.VirtualMFADevices {
			if d.User == nil || aws.ToString(d.User.Arn) != rootARN {
				continue
			}
			devs = append(devs, inventory.MFADevice{Serial: aws.ToString(d.SerialNumber), Type: inventory.MFAVirtual, EnableDate: utc(d.EnableDate)})
		}
	}
	return inventory.Fact[[]inventory.MFADevice]{Value: devs, Source: inventory.Source{API: api, At: at}}
}

// rootAssumed reads a member account's root user through an sts:AssumeRoot
// session with the IAMAuditRootUserCredentials task policy. If the session
// cannot be opened, every root fact carries that error.
func (col *collector) rootAssumed(ctx context.Context, a *inventory.Account) {
	r := &a.Root
	r.Method = inventory.MethodAssumeRoot
	creds := col.c.rootSession(a.ID)
	at := col.now()
	_, err := creds.Retrieve(ctx)
	r.Session = inventory.Fact[bool]{Value: err == nil, Source: source("sts:AssumeRoot", at, err)}
	if err != nil {
		s := r.Session.Source
		r.Summary.Source = s
		r.LoginProfile.Source = s
		r.User.Source = s
		r.AccessKeys.Source = s
		r.SigningCertificates.Source = s
		r.MFADevices.Source = s
		col.log.Debug("root session refused", "account_id", a.ID, "error", err)
		return
	}
	c := col.c.rootIAM(creds)
	var wg sync.WaitGroup
	wg.Go(func() { r.Summary = col.summary(ctx, c) })
	wg.Go(func() { r.LoginProfile = col.loginProfile(ctx, c) })
	wg.Go(func() { r.User = col.user(ctx, c) })
	wg.Go(func() { r.AccessKeys = col.accessKeys(ctx, c) })
	wg.Go(func() { r.SigningCertificates = col.signingCertificates(ctx, c) })
	wg.Go(func() { r.MFADevices = col.mfaDevices(ctx, c) })
	wg.Wait()
}

func (col *collector) loginProfile(ctx context.Context, c rootIAM) inventory.Fact[inventory.LoginProfile] {
	at := col.now()
	out, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	if awsclient.ErrorCode(err) == awsclient.CodeNoSuchEntity {
		// No password: a known fact, not a failure.
		return inventory.Fact[inventory.LoginProfile]{Value: inventory.LoginProfile{Exists: false}, Source: source("iam:GetLoginProfile", at, nil)}
	}
	f := inventory.Fact[inventory.LoginProfile]{Source: source("iam:GetLoginProfile", at, err)}
	if err == nil {
		f.Value.Exists = true
		if out.LoginProfile != nil {
			f.Value.CreateDate = utc(out.LoginProfile.CreateDate)
		}
	}
	return f
}

func (col *collector) user(ctx context.Context, c rootIAM) inventory.Fact[inventory.RootUser] {
	at := col.now()
	out, err := c.GetUser(ctx, &iam.GetUserInput{})
	f := inventory.Fact[inventory.RootUser]{Source: source("iam:GetUser", at, err)}
	if err == nil && out.User != nil {
		f.Value = inventory.RootUser{
			ARN:              aws.ToString(out.User.Arn),
			CreateDate:       utc(out.User.CreateDate),
			PasswordLastUsed: utc(out.User.PasswordLastUsed),
		}
	}
	return f
}

// accessKeys lists the root access keys, active or not, and asks when each
// was last used. A failed last-used call is kept on that key.
func (col *collector) accessKeys(ctx context.Context, c rootIAM) inventory.Fact[[]inventory.AccessKey] {
	at := col.now()
	const api = "iam:ListAccessKeys"
	keys := []inventory.AccessKey{}
	p := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]inventory.AccessKey]{Source: source(api, at, err)}
		}
		for _, k := range page.AccessKeyMetadata {
			keys = append(keys, inventory.AccessKey{ID: aws.ToString(k.AccessKeyId), Status: string(k.Status), CreateDate: utc(k.CreateDate)})
		}
	}
	for i := range keys {
		out, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keys[i].ID)})
		if err != nil {
			keys[i].LastUsed = &inventory.KeyLastUsed{Error: callError(err)}
			continue
		}
		lu := &inventory.KeyLastUsed{}
		if u := out.AccessKeyLastUsed; u != nil {
			lu.Date = utc(u.LastUsedDate)
			lu.Service = notApplicable(aws.ToString(u.ServiceName))
			lu.Region = notApplicable(aws.ToString(u.Region))
		}
		keys[i].LastUsed = lu
	}
	return inventory.Fact[[]inventory.AccessKey]{Value: keys, Source: inventory.Source{API: api, At: at}}
}

// notApplicable maps the "N/A" IAM writes for a never-used key to "".
func notApplicable(s string) string {
	if strings.EqualFold(s, "N/A") {
		return ""
	}
	return s
}

func (col *collector) signingCertificates(ctx context.Context, c rootIAM) inventory.Fact[[]inventory.SigningCertificate] {
	at := col.now()
	const api = "iam:ListSigningCertificates"
	certs := []inventory.SigningCertificate{}
	p := iam.NewListSigningCertificatesPaginator(c, &iam.ListSigningCertificatesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]inventory.SigningCertificate]{Source: source(api, at, err)}
		}
		for _, sc := range page.Certificates {
			certs = append(certs, inventory.SigningCertificate{ID: aws.ToString(sc.CertificateId), Status: string(sc.Status), UploadDate: utc(sc.UploadDate)})
		}
	}
	return inventory.Fact[[]inventory.SigningCertificate]{Value: certs, Source: inventory.Source{API: api, At: at}}
}

func (col *collector) mfaDevices(ctx context.Context, c rootIAM) inventory.Fact[[]inventory.MFADevice] {
	at := col.now()
	const api = "iam:ListMFADevices"
	devs := []inventory.MFADevice{}
	p := iam.NewListMFADevicesPaginator(c, &iam.ListMFADevicesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return inventory.Fact[[]inventory.MFADevice]{Source: source(api, at, err)}
		}
		for _, d := range page.MFADevices {
			serial := aws.ToString(d.SerialNumber)
			devs = append(devs, inventory.MFADevice{Serial: serial, Type: inventory.MFAType(serial), EnableDate: utc(d.EnableDate)})
		}
	}
	return inventory.Fact[[]inventory.MFADevice]{Value: devs, Source: inventory.Source{API: api, At: at}}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
