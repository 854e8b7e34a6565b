package collect

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/rootguard/rootguard/internal/awsclient"
	"github.com/rootguard/rootguard/internal/inventory"
)

// contacts reads the primary contact and the three alternate contacts. A
// member account is named with AccountId; the caller's own account must be
// read without it (AWS refuses the management account's own ID). An unset
// contact (ResourceNotFound) is a known fact with a nil value.
func (col *collector) contacts(ctx context.Context, a *inventory.Account) {
	a.Contacts.Alternates = make(map[string]inventory.Fact[*inventory.AlternateContact], len(inventory.AlternateTypes))
	if a.ID != col.caller && a.Role != inventory.RoleMember {
		a.Contacts.Primary.Source = col.notCaller(a, "account:GetContactInformation")
		for _, t := range inventory.AlternateTypes {
			a.Contacts.Alternates[t] = inventory.Fact[*inventory.AlternateContact]{Source: col.notCaller(a, "account:GetAlternateContact")}
		}
		return
	}
	var id *string
	if a.ID != col.caller {
		id = aws.String(a.ID)
	}
	alts := make([]inventory.Fact[*inventory.AlternateContact], len(inventory.AlternateTypes))
	var wg sync.WaitGroup
	wg.Go(func() { a.Contacts.Primary = col.primaryContact(ctx, id) })
	for i, t := range inventory.AlternateTypes {
		wg.Go(func() { alts[i] = col.alternateContact(ctx, id, t) })
	}
	wg.Wait()
	for i, t := range inventory.AlternateTypes {
		a.Contacts.Alternates[t] = alts[i]
	}
}

func (col *collector) primaryContact(ctx context.Context, id *string) inventory.Fact[*inventory.ContactInformation] {
	at := col.now()
	const api = "account:GetContactInformation"
	out, err := col.c.account.GetContactInformation(ctx, &account.GetContactInformationInput{AccountId: id})
	if awsclient.ErrorCode(err) == awsclient.CodeResourceNotFound {
		return inventory.Fact[*inventory.ContactInformation]{Source: source(api, at, nil)}
	}
	f := inventory.Fact[*inventory.ContactInformation]{Source: source(api, at, err)}
	if err != nil || out.ContactInformation == nil {
		return f
	}
	c := out.ContactInformation
	f.Value = &inventory.ContactInformation{
		FullName:         aws.ToString(c.FullName),
		CompanyName:      aws.ToString(c.CompanyName),
		AddressLine1:     aws.ToString(c.AddressLine1),
		AddressLine2:     aws.ToString(c.AddressLine2),
		AddressLine3:     aws.ToString(c.AddressLine3),
		City:             aws.ToString(c.City),
		StateOrRegion:    aws.ToString(c.StateOrRegion),
		DistrictOrCounty: aws.ToString(c.DistrictOrCounty),
		PostalCode:       aws.ToString(c.PostalCode),
		CountryCode:      aws.ToString(c.CountryCode),
		PhoneNumber:      aws.ToString(c.PhoneNumber),
		WebsiteURL:       aws.ToString(c.WebsiteUrl),
	}
	return f
}

func (col *collector) alternateContact(ctx context.Context, id *string, typ string) inventory.Fact[*inventory.AlternateContact] {
	at := col.now()
	const api = "account:GetAlternateContact"
	out, err := col.c.account.GetAlternateContact(ctx, &account.GetAlternateContactInput{
		AccountId:            id,
		AlternateContactType: accttypes.AlternateContactType(typ),
	})
	if awsclient.ErrorCode(err) == awsclient.CodeResourceNotFound {
		return inventory.Fact[*inventory.AlternateContact]{Source: source(api, at, nil)}
	}
	f := inventory.Fact[*inventory.AlternateContact]{Source: source(api, at, err)}
	if err != nil || out.AlternateContact == nil {
		return f
	}
	c := out.AlternateContact
	f.Value = &inventory.AlternateContact{
		Name:         aws.ToString(c.Name),
		Title:        aws.ToString(c.Title),
		EmailAddress: aws.ToString(c.EmailAddress),
		PhoneNumber:  aws.ToString(c.PhoneNumber),
	}
	return f
}
