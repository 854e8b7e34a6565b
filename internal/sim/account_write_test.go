package sim_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/rootguard/rootguard/internal/sim"
)

func putSecurity(acct, email, phone string) func(*testing.T, *env) (any, error) {
	return func(t *testing.T, e *env) (any, error) {
		in := &account.PutAlternateContactInput{
			AlternateContactType: accttypes.AlternateContactTypeSecurity,
			Name:                 aws.String("Acme Security Operations"), Title: aws.String("Security"),
			EmailAddress: aws.String(email), PhoneNumber: aws.String(phone),
		}
		if acct != "" {
			in.AccountId = aws.String(acct)
		}
		c := acctc(e.caller())
		if _, err := c.PutAlternateContact(t.Context(), in); err != nil {
			return nil, err
		}
		get := &account.GetAlternateContactInput{AlternateContactType: accttypes.AlternateContactTypeSecurity, AccountId: in.AccountId}
		out, err := c.GetAlternateContact(t.Context(), get)
		if err != nil {
			return nil, err
		}
		ac := out.AlternateContact
		return []string{aws.ToString(ac.Name), aws.ToString(ac.Title), aws.ToString(ac.EmailAddress), aws.ToString(ac.PhoneNumber)}, nil
	}
}

func TestAccountWrites(t *testing.T) {
	want := []string{"Acme Security Operations", "Security", "security@acme.example", "+12065550111"}
	runWrites(t, sim.Demo, []opCase{
		{
			name: "PutAlternateContact for a member with AccountId",
			run:  putSecurity(noSecurity, "security@acme.example", "+12065550111"),
			want: want,
		},
		{
			name: "PutAlternateContact for the management account without AccountId",
			run:  putSecurity("", "security@acme.example", "+12065550111"),
			want: want,
		},
		{
			name:     "PutAlternateContact for the management account with AccountId",
			run:      putSecurity(mgmt, "security@acme.example", "+12065550111"),
			wantCode: "AccessDeniedException",
		},
		{
			name:     "PutAlternateContact with an email address that is not one",
			run:      putSecurity(noSecurity, "security at acme", "+12065550111"),
			wantCode: "ValidationException",
			wantMsg:  `1 validation error detected: Value at 'emailAddress' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`,
		},
		{
			name:     "PutAlternateContact with letters in the phone number",
			run:      putSecurity(noSecurity, "security@acme.example", "call +1 206 SECURITY"),
			wantCode: "ValidationException",
		},
		{
			name:     "PutAlternateContact with a phone number above 25 characters",
			run:      putSecurity(noSecurity, "security@acme.example", "+1 (206) 555-0111 0000 0000"),
			wantCode: "ValidationException",
		},
		{
			name: "PutAlternateContact from a member for another account",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := acctc(e.role(t, network)).PutAlternateContact(t.Context(), &account.PutAlternateContactInput{
					AccountId: aws.String(noSecurity), AlternateContactType: accttypes.AlternateContactTypeSecurity,
					Name: aws.String("n"), Title: aws.String("t"), EmailAddress: aws.String("a@b.example"), PhoneNumber: aws.String("+1"),
				})
				return nil, err
			},
			wantCode: "AccessDeniedException",
		},
		{
			name: "DeleteAlternateContact, then it is gone",
			run: func(t *testing.T, e *env) (any, error) {
				c := acctc(e.caller())
				if _, err := c.DeleteAlternateContact(t.Context(), &account.DeleteAlternateContactInput{
					AccountId: aws.String(network), AlternateContactType: accttypes.AlternateContactTypeBilling,
				}); err != nil {
					return nil, err
				}
				_, err := c.GetAlternateContact(t.Context(), &account.GetAlternateContactInput{
					AccountId: aws.String(network), AlternateContactType: accttypes.AlternateContactTypeBilling,
				})
				return nil, err
			},
			wantCode: "ResourceNotFoundException",
		},
		{
			name: "DeleteAlternateContact that is not there",
			run: func(t *testing.T, e *env) (any, error) {
				_, err := acctc(e.caller()).DeleteAlternateContact(t.Context(), &account.DeleteAlternateContactInput{
					AccountId: aws.String(noSecurity), AlternateContactType: accttypes.AlternateContactTypeSecurity,
				})
				return nil, err
			},
			wantCode: "ResourceNotFoundException",
		},
	})
}
