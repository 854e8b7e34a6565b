package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Generate builds a synthetic organization of the given number of accounts
// (at least 1: the management account) for scale tests and benchmarks. The
// same seed gives the same scenario. Most members are clean; the rest carry
// a mix of the postures the demo shows: root keys, passwords with and
// without MFA, signing certificates, missing contacts, personal root emails,
// suspended accounts and a few accounts where sts:AssumeRoot is denied.
func Generate(accounts int, seed int64) *Scenario {
	accounts = max(accounts, 1)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	const mgmt = "100000000000"
	teams := max(1, accounts/50)
	s := &Scenario{
		Name:       fmt.Sprintf("generated-%d-%d", accounts, seed),
		Region:     "us-east-1",
		OrgDomains: []string{"corp.example"},
		Caller:     Caller{ARN: "arn:aws:sts::" + mgmt + ":assumed-role/Admin/rootguard-bench"},
		Organization: &Organization{
			ID:                "o-gen" + fmt.Sprintf("%07d", uint32(seed)%10000000),
			ManagementAccount: mgmt,
			RootID:            "r-gen0",
			Features:          []string{"RootCredentialsManagement"},
			TrustedServices:   []string{"account.amazonaws.com", "iam.amazonaws.com"},
		},
	}
	prod := OU{Name: "Prod"}
	for t := range teams {
		prod.Children = append(prod.Children, OU{Name: fmt.Sprintf("team-%03d", t+1)})
	}
	s.Organization.OUs = []OU{
		{Name: "Security"}, {Name: "Infrastructure"},
		{Name: "Workloads", Children: []OU{prod, {Name: "Staging"}, {Name: "Dev"}}},
		{Name: "Sandbox"}, {Name: "Suspended"},
	}

	contact := &Contact{
		FullName: "Corp Cloud Team", CompanyName: "Corp", AddressLine1: "1 Example Street", City: "Springfield",
		PostalCode: "12345", CountryCode: "US", PhoneNumber: "+15555550100",
	}
	alternates := map[string]AlternateContact{
		"SECURITY":   {Name: "Security", Title: "Security", Email: "security@corp.example", Phone: "+15555550111"},
		"BILLING":    {Name: "Finance", Title: "Billing", Email: "billing@corp.example", Phone: "+15555550122"},
		"OPERATIONS": {Name: "Operations", Title: "Operations", Email: "ops@corp.example", Phone: "+15555550133"},
	}
	days := func(lo, hi int) Date { return Ago(time.Duration(lo+rng.IntN(hi-lo+1)) * 24 * time.Hour) }

	s.Accounts = append(s.Accounts, Account{
		ID: mgmt, Name: "management", Email: "aws-root@corp.example", JoinedAt: Ago(8 * 365 * 24 * time.Hour),
		Root: Root{
			Password: &Password{Created: days(1000, 2000), LastUsed: days(5, 60)},
			MFADevices: []MFADevice{
				{Name: "GAHT90000001", Type: "hardware-totp", Enabled: days(300, 1400)},
				{Name: "key-a", Type: "fido", Enabled: days(30, 600)},
			},
		},
		Contact: contact, AlternateContacts: alternates,
	})
	for i := 1; i < accounts; i++ {
		id := fmt.Sprintf("2%011d", i)
		a := Account{
			ID: id, Name: fmt.Sprintf("acct-%05d", i), Email: fmt.Sprintf("aws-root+acct-%05d@corp.example", i),
			JoinedAt: days(30, 2500), AlternateContacts: alternates,
		}
		c := *contact
		a.Contact = &c
		switch p := rng.IntN(100); {
		case p < 3:
			a.OU = "Security"
		case p < 8:
			a.OU = "Infrastructure"
		case p < 60:
			a.OU = fmt.Sprintf("Workloads/Prod/team-%03d", 1+rng.IntN(teams))
		case p < 75:
			a.OU = "Workloads/Staging"
		case p < 90:
			a.OU = "Workloads/Dev"
		default:
			a.OU = "Sandbox"
		}
		switch p := rng.IntN(100); {
		case p < 55: // clean
		case p < 63:
			a.Root.AccessKeys = []AccessKey{{Status: "Active", Created: days(200, 2000),
				LastUsed: &KeyUsed{Date: days(1, 120), Service: "s3", Region: "eu-west-1"}}}
		case p < 68:
			a.Root.AccessKeys = []AccessKey{{Status: "Inactive", Created: days(500, 2500)}}
		case p < 76:
			a.Root.Password = &Password{Created: days(300, 2000), LastUsed: days(10, 400)}
			a.Root.MFADevices = []MFADevice{{Name: "root-" + id, Type: "virtual", Enabled: days(300, 2000)}}
		case p < 81:
			a.Root.Password = &Password{Created: days(300, 2000)}
		case p < 84:
			a.Root.Password = &Password{Created: days(300, 2000), LastUsed: days(30, 900)}
			a.Root.MFADevices = []MFADevice{{Name: fmt.Sprintf("GAHT2%07d", i), Type: "hardware-totp", Enabled: days(100, 1500)}}
		case p < 87:
			a.Root.SigningCertificates = []Certificate{{Status: "Active", Uploaded: days(100, 2000)}}
		case p < 92:
			a.AlternateContacts = map[string]AlternateContact{"BILLING": alternates["BILLING"]}
		case p < 95:
			a.Email = fmt.Sprintf("someone.%05d@gmail.com", i)
		case p < 98:
			a.State, a.OU = "SUSPENDED", "Suspended"
		default:
			s.Faults = append(s.Faults, Fault{Operation: "sts:AssumeRoot", Account: id, Code: "AccessDenied",
				Message: "not authorized to perform: sts:AssumeRoot with an explicit deny in a service control policy"})
		}
		s.Accounts = append(s.Accounts, a)
	}
	return s
}
