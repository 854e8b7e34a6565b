package sim

import (
	"net/http"
	"strings"
	"time"
)

// Route 53 Domains and WorkMail (both awsJson1_1): what the account hosts
// that a root email address could depend on. Route 53 hosted zones and SES
// inbound rules live in route53.go and ses.go.

func route53DomainsService() *service {
	return &service{
		name:   "route53domains",
		proto:  protoJSON,
		target: "Route53Domains_v20140515",
		ops: map[string]*operation{
			"ListDomains": {handle: domainsListDomains},
		},
	}
}

type domainSummary struct {
	DomainName   string `json:"DomainName"`
	AutoRenew    *bool  `json:"AutoRenew,omitempty"`
	TransferLock *bool  `json:"TransferLock,omitempty"`
	Expiry       *epoch `json:"Expiry,omitempty"`
}

// summary is ListDomains' entry for domain d under its settings.
func (st DomainSetting) summary(d string, now time.Time) domainSummary {
	if st.Hidden {
		return domainSummary{DomainName: d}
	}
	on := func(b *bool) *bool {
		v := b == nil || *b
		return &v
	}
	expiry := epochPtr(now.Add(200*24*time.Hour).Truncate(24*time.Hour), true)
	if t, ok := st.Expires.At(now); ok {
		expiry = epochPtr(t, true)
	}
	return domainSummary{DomainName: d, AutoRenew: on(st.AutoRenew), TransferLock: on(st.TransferLock), Expiry: expiry}
}

func domainsListDomains(r *request) (any, error) {
	var in struct {
		FilterConditions []struct {
			Name     string   `json:"Name"`
			Operator string   `json:"Operator"`
			Values   []string `json:"Values"`
		} `json:"FilterConditions,omitempty"`
		SortCondition *struct {
			Name      string `json:"Name"`
			SortOrder string `json:"SortOrder"`
		} `json:"SortCondition,omitempty"`
		Marker   string `json:"Marker,omitempty"`
		MaxItems int    `json:"MaxItems,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	// Route 53 Domains has one endpoint, in us-east-1.
	if r.region != "us-east-1" {
		return nil, errf("UnrecognizedClientException", http.StatusBadRequest, "Route 53 Domains is served only in us-east-1, not %s", r.region)
	}
	var all []domainSummary
	a := r.account()
	for _, d := range a.RegisteredDomains {
		d = strings.TrimSuffix(d, ".")
		all = append(all, a.DomainSettings[d].summary(d, r.now))
	}
	if in.MaxItems == 0 {
		in.MaxItems = 20
	}
	out, next, err := pageOr(all, in.Marker, in.MaxItems, 100, "InvalidInput")
	if err != nil {
		return nil, err
	}
	return map[string]any{"Domains": out, "NextPageMarker": optional(next)}, nil
}

func workmailService() *service {
	return &service{
		name:   "workmail",
		proto:  protoJSON,
		target: "WorkMailService",
		ops: map[string]*operation{
			"ListOrganizations": {handle: workmailListOrganizations},
			"ListMailDomains":   {handle: workmailListMailDomains},
		},
	}
}

// workmailOrgID is the account's one WorkMail organization, in the
// scenario's region, when it has mail domains.
func workmailOrgID(a *account) string { return "m-" + strings.ToLower(token("workmail/"+a.ID, 32)) }

func (w *world) hasWorkMail(a *account, region string) bool {
	return len(a.WorkMailDomains) > 0 && region == w.region
}

type workmailOrg struct {
	OrganizationID    string `json:"OrganizationId"`
	Alias             string `json:"Alias"`
	DefaultMailDomain string `json:"DefaultMailDomain"`
	State             string `json:"State"`
}

func workmailListOrganizations(r *request) (any, error) {
	var in struct {
		NextToken  string `json:"NextToken,omitempty"`
		MaxResults int    `json:"MaxResults,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w, a := r.srv.w, r.account()
	var all []workmailOrg
	if w.hasWorkMail(a, r.region) {
		alias := strings.ToLower(strings.ReplaceAll(a.Name, " ", "-"))
		if alias == "" {
			alias = "org-" + a.ID
		}
		all = append(all, workmailOrg{OrganizationID: workmailOrgID(a), Alias: alias, DefaultMailDomain: a.WorkMailDomains[0], State: "Active"})
	}
	out, next, err := pageOr(all, in.NextToken, in.MaxResults, 100, "InvalidParameterException")
	if err != nil {
		return nil, err
	}
	return map[string]any{"OrganizationSummaries": out, "NextToken": optional(next)}, nil
}

type mailDomain struct {
	DomainName    string `json:"DomainName"`
	DefaultDomain bool   `json:"DefaultDomain"`
}

func workmailListMailDomains(r *request) (any, error) {
	var in struct {
		OrganizationID string `json:"OrganizationId"`
		NextToken      string `json:"NextToken,omitempty"`
		MaxResults     int    `json:"MaxResults,omitempty"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	w, a := r.srv.w, r.account()
	if !w.hasWorkMail(a, r.region) || in.OrganizationID != workmailOrgID(a) {
		return nil, errf("OrganizationNotFoundException", http.StatusBadRequest, "An operation received a valid organization identifier that either doesn't belong or exist in the system.")
	}
	var all []mailDomain
	for i, d := range a.WorkMailDomains {
		all = append(all, mailDomain{DomainName: d, DefaultDomain: i == 0})
	}
	out, next, err := pageOr(all, in.NextToken, in.MaxResults, 100, "InvalidParameterException")
	if err != nil {
		return nil, err
	}
	return map[string]any{"MailDomains": out, "NextToken": optional(next)}, nil
}
