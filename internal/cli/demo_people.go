package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/contacts"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/trail"
)

// DemoDBName is the demo organization's own database in the state
// directory (break-glass history, contact verifications, drills): its
// people-side history never mixes with a real store's.
const DemoDBName = "demo.db"

// storeFor opens the store --db or ROOTGUARD_DB names, else the demo's own
// database for --demo, else the default one.
func (e *env) storeFor(ctx context.Context, demo bool) (*store.Store, error) {
	if demo && e.dsn() == "" {
		return demoStore(ctx)
	}
	return e.openStore(ctx)
}

// demoStore opens the demo's database, seeding its break-glass history,
// contact verifications and drills when it holds none.
func demoStore(ctx context.Context) (*store.Store, error) {
	dir, err := madeStateDir("")
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, DemoDBName))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := errors.Join(seedDemo(ctx, st.Breakglass(), now), seedDemoPeople(ctx, st, now)); err != nil {
		st.Close()
		return nil, fmt.Errorf("demo history: %w", err)
	}
	return st, nil
}

// The demo's contacts: the management account's verified within the
// interval, another account's root email token left unconfirmed.
const (
	demoPeopleManagement = "111111111111"
	demoOverdue          = "333333333333"
)

func seedDemoPeople(ctx context.Context, st *store.Store, now time.Time) error {
	if vs, err := st.ContactVerifications(ctx); err != nil || len(vs) > 0 {
		return err
	}
	day := 24 * time.Hour
	for _, v := range []contacts.Verification{
		{AccountID: demoPeopleManagement, Kind: contacts.RootEmail, Address: "aws-root@acme.example", Method: contacts.ByToken, SentAt: now.Add(-20 * day), ConfirmedAt: now.Add(-20*day + 2*time.Hour), By: "alice"},
		{AccountID: demoPeopleManagement, Kind: contacts.SecurityEmail, Address: "security@acme.example", Method: contacts.ByToken, SentAt: now.Add(-20 * day), ConfirmedAt: now.Add(-19 * day), By: "bob"},
		{AccountID: demoPeopleManagement, Kind: contacts.Phone, Address: "+12065550100", Method: contacts.Attested, SentAt: now.Add(-30 * day), ConfirmedAt: now.Add(-30 * day), By: "bob"},
		{AccountID: demoOverdue, Kind: contacts.RootEmail, Address: "aws-accounts@acme.example", Method: contacts.ByToken, TokenHash: contacts.HashToken("RG-DEMO-UNCONFIRMED"), SentAt: now.Add(-10 * day)},
	} {
		if _, err := st.AddContactVerification(ctx, v); err != nil {
			return err
		}
	}
	// The management account's sign-in drill, 40 days ago, verified the
	// way drill verify does it: its CloudTrail sign-in through the
	// detection engine.
	opened := now.Add(-40 * day)
	d := drill.Drill{AccountID: demoPeopleManagement, Kind: drill.SignIn, OpenedAt: opened, ClosesAt: opened.Add(time.Hour), OpenedBy: "alice", Result: drill.Open}
	signIn := fmt.Sprintf(`{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"%[1]s","arn":"arn:aws:iam::%[1]s:root","accountId":"%[1]s"},`+
		`"eventTime":"%[2]s","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10",`+
		`"userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},`+
		`"eventID":"demo-drill-sign-in","eventType":"AwsConsoleSignIn","recipientAccountId":"%[1]s"}]}`, demoPeopleManagement, opened.Add(12*time.Minute).Format(time.RFC3339))
	alerts, _, err := readWindow(ctx, "demo drill", windowSource{}, []string{"-"}, strings.NewReader(signIn), drillWindow(d))
	if err != nil {
		return err
	}
	v := drill.Verify(d, alerts, opened.Add(2*time.Hour))
	if v.Result != drill.Verified {
		return fmt.Errorf("the demo drill's sign-in did not verify it: %s", v.Note)
	}
	// Another account's drill was only attested: shown, not passing.
	a := drill.Drill{AccountID: "222222222222", Kind: drill.SignIn, OpenedAt: now.Add(-15 * day), ClosesAt: now.Add(-15*day + time.Hour), OpenedBy: "alice",
		Result: drill.Attested, CheckedAt: now.Add(-15*day + time.Hour), Note: "bob: signed in with the custodian, no trail delivered to the organization bucket"}
	for _, x := range []drill.Drill{v, a} {
		if _, err := st.AddDrill(ctx, x); err != nil {
			return err
		}
	}
	return nil
}

// drillWindow is the time range of a drill's window, its last second
// included.
func drillWindow(d drill.Drill) trail.Window {
	return trail.Window{Since: d.OpenedAt, Until: d.ClosesAt.Add(time.Second)}
}
