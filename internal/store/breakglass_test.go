package store_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rootguard/rootguard/internal/audit"
	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/store/storetest"
)

const (
	aliceARN = "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/alice"
	bobARN   = "arn:aws:sts::111111111111:assumed-role/BreakGlassApprover/bob"
	carolARN = "arn:aws:iam::111111111111:user/carol"
	// Alice's role under another session name: still Alice.
	aliceOtherSession = "arn:aws:sts::111111111111:assumed-role/BreakGlassRequester/bob"
)

// bgService returns a workflow over s with a fresh audit log, persons
// alice, bob and carol registered, and a clock the test moves.
func bgService(t *testing.T, s *store.Store) (breakglass.Service, *audit.Log, *time.Time) {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	repo := s.Breakglass()
	for _, p := range []struct{ id, arn string }{
		{"alice", "arn:aws:iam::111111111111:role/BreakGlassRequester"},
		{"bob", "arn:aws:iam::111111111111:role/BreakGlassApprover"},
		{"carol", carolARN},
	} {
		if err := repo.AddPerson(ctx, breakglass.Person{ID: p.id}, []string{p.arn}, now); err != nil {
			t.Fatal(err)
		}
	}
	log, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), audit.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	n := 0
	var mu sync.Mutex
	return breakglass.Service{
		Repo: repo, Audit: log, Policy: breakglass.DefaultPolicy(), Now: func() time.Time { return now },
		NewID: func() string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return fmt.Sprintf("bg-test%06d", n)
		},
	}, log, &now
}

func TestBreakglassWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svc, log, now := bgService(t, s)
		if _, err := svc.Open(ctx, "arn:aws:iam::111111111111:user/mallory", "222222222222", "x", time.Hour, "", ""); !errors.Is(err, breakglass.ErrUnknownIdentity) {
			t.Fatalf("unknown requester: err = %v", err)
		}
		r, err := svc.Open(ctx, aliceARN, "222222222222", "unlock the logs bucket", 30*time.Minute, breakglass.TaskUnlockBucketPolicy, "acme-logs")
		if err != nil {
			t.Fatal(err)
		}
		seq, _ := log.Head()
		for _, arn := range []string{aliceARN, aliceOtherSession} {
			if _, err := svc.Approve(ctx, arn, r.ID); !errors.Is(err, breakglass.ErrSelfApproval) {
				t.Fatalf("approve as %s: err = %v, want self-approval refused", arn, err)
			}
		}
		if _, err := svc.Approve(ctx, "arn:aws:iam::111111111111:user/mallory", r.ID); !errors.Is(err, breakglass.ErrUnknownIdentity) {
			t.Fatalf("unknown approver: err = %v", err)
		}
		if got, _ := log.Head(); got != seq {
			t.Fatalf("refusals wrote %d audit records", got-seq)
		}
		if got, _ := s.Breakglass().Get(ctx, r.ID); got.State != breakglass.Pending {
			t.Fatalf("after refusals the request is %s", got.State)
		}
		*now = now.Add(5 * time.Minute)
		a, err := svc.Approve(ctx, bobARN, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Breakglass().Get(ctx, r.ID)
		if err != nil || got.State != breakglass.Approved || got.Decider != "bob" || !got.Window().Start.Equal(*now) || got.Window() != a.Window() {
			t.Fatalf("stored after approve: %+v, %v", got, err)
		}
		if got, _ := log.Head(); got != seq+2 {
			t.Fatalf("approve wrote %d audit records, want intent and result", got-seq)
		}
		if _, err := svc.Approve(ctx, "arn:aws:iam::111111111111:user/carol", r.ID); !errors.Is(err, breakglass.ErrState) {
			t.Fatalf("second approval: err = %v", err)
		}
		*now = now.Add(10 * time.Minute)
		c, err := svc.Close(ctx, aliceARN, r.ID)
		if err != nil || c.State != breakglass.Closed {
			t.Fatalf("close: %+v, %v", c, err)
		}
		ws, err := s.Breakglass().Windows(ctx)
		if err != nil || len(ws) != 1 || !ws[0].Window().End.Equal(*now) {
			t.Fatalf("windows = %+v, %v", ws, err)
		}
		if _, err := svc.Approve(ctx, bobARN, r.ID); !errors.Is(err, breakglass.ErrState) {
			t.Fatalf("approve a closed request: err = %v", err)
		}

		// Expired: a day later a pending request cannot be approved.
		p, err := svc.Open(ctx, aliceARN, "222222222222", "sign in", time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		*now = now.Add(25 * time.Hour)
		if _, err := svc.Approve(ctx, bobARN, p.ID); !errors.Is(err, breakglass.ErrState) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("approve expired: err = %v", err)
		}
		if _, err := svc.Approve(ctx, bobARN, "bg-nosuch00"); !errors.Is(err, breakglass.ErrNotFound) {
			t.Fatalf("approve unknown request: err = %v", err)
		}
		list, err := s.Breakglass().List(ctx, "222222222222")
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %d, %v", len(list), err)
		}
	})
}

// TestBreakglassRaces: approvers racing, and approvals racing a close: exactly one approval
// wins, the others get ErrConflict or ErrState, and the stored request is what the winners did.
func TestBreakglassRaces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svc, _, _ := bgService(t, s)
		for round := range 5 {
			r, err := svc.Open(ctx, aliceARN, "222222222222", "race", time.Hour, "", "")
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				who string
				err error
			}
			steps := []struct {
				who string
				do  func() error
			}{
				{"bob", func() error { _, err := svc.Approve(ctx, bobARN, r.ID); return err }},
				{"carol", func() error { _, err := svc.Approve(ctx, carolARN, r.ID); return err }},
				{"bob-2", func() error { _, err := svc.Approve(ctx, bobARN, r.ID); return err }},
			}
			if round%2 == 1 { // an approval racing the requester's close
				steps[1] = struct {
					who string
					do  func() error
				}{"alice-close", func() error { _, err := svc.Close(ctx, aliceARN, r.ID); return err }}
			}
			results := make(chan result, len(steps))
			var start sync.WaitGroup
			start.Add(1)
			for _, st := range steps {
				go func() {
					start.Wait()
					results <- result{st.who, st.do()}
				}()
			}
			start.Done()
			var approvals []string
			closed := false
			for range steps {
				res := <-results
				switch {
				case res.err == nil && res.who == "alice-close":
					closed = true
				case res.err == nil:
					approvals = append(approvals, res.who)
				case errors.Is(res.err, breakglass.ErrConflict), errors.Is(res.err, breakglass.ErrState):
				default:
					t.Errorf("round %d: %s: unexpected error %v", round, res.who, res.err)
				}
			}
			got, err := s.Breakglass().Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			// Approvers race: exactly one approval wins. A close wins either before every
			// approval (none succeeds) or after the winning one (it ends that window).
			switch {
			case len(approvals) > 1:
				t.Fatalf("round %d: approvals %v all succeeded", round, approvals)
			case !closed && (len(approvals) != 1 || got.State != breakglass.Approved):
				t.Fatalf("round %d: approvals %v, request %s; want one approval", round, approvals, got.State)
			case closed && got.State != breakglass.Closed:
				t.Fatalf("round %d: the close succeeded but the request is %s", round, got.State)
			case closed && (len(approvals) == 1) != (got.Decider != ""):
				t.Fatalf("round %d: approvals %v but the stored decider is %q", round, approvals, got.Decider)
			}
		}
	})
}

// TestBreakglassNoAuditNoWrite: when the audit log cannot be written, nothing reaches the store.
func TestBreakglassNoAuditNoWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svc, log, _ := bgService(t, s)
		r, err := svc.Open(ctx, aliceARN, "222222222222", "x", time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		log.Close()
		if _, err := svc.Approve(ctx, bobARN, r.ID); !errors.Is(err, audit.ErrClosed) {
			t.Fatalf("approve without an audit log: err = %v", err)
		}
		if got, _ := s.Breakglass().Get(ctx, r.ID); got.State != breakglass.Pending {
			t.Fatalf("the request is %s, want pending: written without an audit record", got.State)
		}
		if _, err := svc.Open(ctx, aliceARN, "222222222222", "y", time.Hour, "", ""); err == nil {
			t.Fatal("a request was opened without an audit log")
		}
		if list, _ := s.Breakglass().List(ctx, ""); len(list) != 1 {
			t.Fatalf("%d requests stored, want 1", len(list))
		}
	})
}

func TestBreakglassPersons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		repo := s.Breakglass()
		now := time.Now()
		role := "arn:aws:iam::111111111111:role/Ops"
		if err := repo.AddPerson(ctx, breakglass.Person{ID: "dave", Name: "Dave"}, []string{role}, now); err != nil {
			t.Fatal(err)
		}
		if err := repo.AddPerson(ctx, breakglass.Person{ID: "erin"}, []string{role}, now); err == nil || !strings.Contains(err.Error(), "already mapped to person dave") {
			t.Fatalf("an identity of two persons: err = %v", err)
		}
		if err := repo.AddPerson(ctx, breakglass.Person{ID: "erin"}, []string{"arn:aws:iam::111111111111:role/path/Ops"}, now); err == nil {
			t.Fatal("a role ARN with a path was accepted as an identity")
		}
		reg, err := repo.Registry(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := reg.Persons["erin"]; ok {
			t.Error("a refused AddPerson left the person behind")
		}
		p, err := reg.Resolve("arn:aws:sts::111111111111:assumed-role/Ops/anything")
		if err != nil || p.ID != "dave" || p.Name != "Dave" {
			t.Fatalf("Resolve = %+v, %v", p, err)
		}
	})
}

// TestBreakglassConditionalUpdate: an update from a state the request has left is refused with
// ErrConflict and changes nothing; this is what decides a race.
func TestBreakglassConditionalUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		svc, _, now := bgService(t, s)
		r, err := svc.Open(ctx, aliceARN, "222222222222", "x", time.Hour, "", "")
		if err != nil {
			t.Fatal(err)
		}
		bob := breakglass.Person{ID: "bob"}
		a, _ := r.Approve(bob, bobARN, *now)
		if err := s.Breakglass().Update(ctx, breakglass.Pending, a, breakglass.Decision{RequestID: r.ID, Action: "approve", Person: "bob", Identity: bobARN, At: *now}); err != nil {
			t.Fatal(err)
		}
		d, _ := r.Deny(breakglass.Person{ID: "carol"}, carolARN, *now)
		err = s.Breakglass().Update(ctx, breakglass.Pending, d, breakglass.Decision{RequestID: r.ID, Action: "deny", Person: "carol", Identity: carolARN, At: *now})
		if !errors.Is(err, breakglass.ErrConflict) || !strings.Contains(err.Error(), "is now approved") {
			t.Fatalf("stale update: err = %v", err)
		}
		if got, _ := s.Breakglass().Get(ctx, r.ID); got.State != breakglass.Approved || got.Decider != "bob" {
			t.Fatalf("after the refused update: %+v", got)
		}
	})
}

// A drill's window is a break-glass request marked as the drill's: the mark is stored, survives
// the approval by another person, and is among the windows trail scan --windows reads.
func TestBreakglassDrillWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		svc, _, _ := bgService(t, s)
		if _, err := svc.OpenDrill(t.Context(), aliceARN, "111111111111", "DROP TABLE", "drill", time.Hour); err == nil {
			t.Errorf("a malformed drill ID was accepted")
		}
		r, err := svc.OpenDrill(t.Context(), aliceARN, "111111111111", "drill-0123456789ab", "root access drill", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(t.Context(), aliceOtherSession, r.ID); !errors.Is(err, breakglass.ErrSelfApproval) {
			t.Fatalf("the drill's starter approved it: %v", err)
		}
		if _, err := svc.Approve(t.Context(), bobARN, r.ID); err != nil {
			t.Fatal(err)
		}
		ws, err := s.Breakglass().Windows(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != 1 || ws[0].Drill != "drill-0123456789ab" || ws[0].Task != "" {
			t.Errorf("windows %+v, want the drill's sign-in window", ws)
		}
	})
}
