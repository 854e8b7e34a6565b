package policy_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rootguard/rootguard/internal/policy"
)

// caseFile is one testdata/cases/*.yaml file: named policies shared by its
// cases, and the cases.
type caseFile struct {
	Policies map[string]string `yaml:"policies"`
	Cases    []testCase        `yaml:"cases"`
}

// testCase is a conformance case in the style of OPA's test/cases: a note,
// the input (a policy, a bare Condition block, or SCP levels), a request,
// and what is wanted.
type testCase struct {
	Note string `yaml:"note"`
	// Policy is one policy document, parsed as "policy".
	Policy string `yaml:"policy"`
	// Condition is a Condition block, wrapped into an Allow of * on *.
	Condition string `yaml:"condition"`
	// Levels are SCP levels from the organization root down; attach names
	// policies of the file.
	Levels []struct {
		Name   string   `yaml:"name"`
		Attach []string `yaml:"attach"`
	} `yaml:"levels"`
	Request   caseRequest `yaml:"request"`
	WantError *struct {
		Code     string `yaml:"code"`
		Location string `yaml:"location"`
	} `yaml:"want_error"`
	// WantMatch is the statement outcome for condition cases.
	WantMatch *bool `yaml:"want_match"`
	// Want is the Decision for policy cases, statements named by Sid.
	Want *struct {
		Allowed      bool     `yaml:"allowed"`
		Denied       bool     `yaml:"denied"`
		MatchedAllow []string `yaml:"matched_allow"`
		MatchedDeny  []string `yaml:"matched_deny"`
	} `yaml:"want"`
	WantDecision string       `yaml:"want_decision"`
	WantReasons  []wantReason `yaml:"want_reasons"`
	Coverage     *struct {
		Account   string              `yaml:"account"`
		Actions   []string            `yaml:"actions"`
		WantHoles []string            `yaml:"want_holes"`
		WantWhy   map[string][]string `yaml:"want_why"`
	} `yaml:"coverage"`
	Tasks *struct {
		Account     string   `yaml:"account"`
		Actions     []string `yaml:"actions"`
		WantBlocked []string `yaml:"want_blocked"`
		WantFix     []string `yaml:"want_fix_contains"`
	} `yaml:"tasks"`

	file     string
	policies map[string]string
}

type caseRequest struct {
	Action    string         `yaml:"action"`
	Resource  string         `yaml:"resource"`
	Principal string         `yaml:"principal"`
	Context   map[string]any `yaml:"context"`
}

// wantReason names a reason by level, policy, sid and effect; for a level
// lacking an Allow only the level is set.
type wantReason struct {
	Level  string `yaml:"level"`
	Policy string `yaml:"policy"`
	Sid    string `yaml:"sid"`
	Effect string `yaml:"effect"`
}

func loadCases(tb testing.TB) []testCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatal("no conformance cases in testdata/cases")
	}
	var all []testCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var cf caseFile
		if err := yaml.UnmarshalWithOptions(b, &cf, yaml.Strict()); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, c := range cf.Cases {
			c.file = filepath.Base(f)
			c.policies = cf.Policies
			all = append(all, c)
		}
	}
	return all
}

// documents returns every policy document a case holds, by name.
func (c testCase) documents() map[string]string {
	docs := map[string]string{}
	if c.Policy != "" {
		docs["policy"] = c.Policy
	}
	if c.Condition != "" {
		docs["condition"] = fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Sid":"Cond","Effect":"Allow","Action":"*","Resource":"*","Condition":%s}}`, c.Condition)
	}
	for _, l := range c.Levels {
		for _, name := range l.Attach {
			docs[name] = c.policies[name]
		}
	}
	return docs
}

func (r caseRequest) request(tb testing.TB) policy.Request {
	tb.Helper()
	out := policy.Request{Action: r.Action, Resource: r.Resource, PrincipalARN: r.Principal, Context: map[string][]string{}}
	for k, v := range r.Context {
		switch t := v.(type) {
		case []any:
			vals := []string{}
			for _, e := range t {
				vals = append(vals, fmt.Sprint(e))
			}
			out.Context[k] = vals
		case nil:
			out.Context[k] = nil
		default:
			out.Context[k] = []string{fmt.Sprint(t)}
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	cases := loadCases(t)
	if len(cases) < 60 {
		t.Errorf("%d conformance cases, want at least 60", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		name := strings.TrimSuffix(c.file, ".yaml") + "/" + c.Note
		if seen[name] {
			t.Errorf("duplicate case note %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

func runCase(t *testing.T, c testCase) {
	parsed := map[string]*policy.Policy{}
	for name, doc := range c.documents() {
		if doc == "" {
			t.Fatalf("case attaches undefined policy %q", name)
		}
		p, err := policy.Parse(name, []byte(doc))
		if c.WantError != nil {
			var pe *policy.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%s) error = %v, want *policy.Error %s", name, err, c.WantError.Code)
			}
			got := [2]string{string(pe.Code), pe.Location}
			want := [2]string{c.WantError.Code, c.WantError.Location}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse(%s) error code/location mismatch (-want +got):\n%s\n%v", name, diff, err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, name) || !strings.Contains(msg, pe.Location) {
				t.Errorf("Error() = %q, want one line naming %q and %q", msg, name, pe.Location)
			}
			return
		}
		if err != nil {
			t.Fatalf("Parse(%s): %v", name, err)
		}
		parsed[name] = p
	}
	if c.WantError != nil {
		t.Fatal("case wants an error but holds no policy")
	}
	req := c.Request.request(t)
	checked := false
	if c.WantMatch != nil {
		checked = true
		d := policy.Evaluate(parsed["condition"], req)
		if d.Allowed != *c.WantMatch {
			t.Errorf("condition %s on context %v matched = %v, want %v", c.Condition, req.Context, d.Allowed, *c.WantMatch)
		}
	}
	if c.Want != nil {
		checked = true
		d := policy.Evaluate(parsed["policy"], req)
		type outcome struct {
			Allowed, Denied           bool
			MatchedAllow, MatchedDeny []string
		}
		sids := func(refs []policy.StatementRef) []string {
			var out []string
			for _, r := range refs {
				out = append(out, r.Sid)
			}
			return out
		}
		want := outcome{c.Want.Allowed, c.Want.Denied, c.Want.MatchedAllow, c.Want.MatchedDeny}
		got := outcome{d.Allowed, d.Denied, sids(d.MatchedAllow), sids(d.MatchedDeny)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Evaluate(%+v) mismatch (-want +got):\n%s", req, diff)
		}
	}
	levels := make([]policy.Level, 0, len(c.Levels))
	for _, l := range c.Levels {
		lv := policy.Level{Name: l.Name}
		for _, name := range l.Attach {
			lv.Policies = append(lv.Policies, parsed[name])
		}
		levels = append(levels, lv)
	}
	if c.WantDecision != "" {
		checked = true
		res := policy.EvaluateSCPs(levels, req)
		if res.Decision != policy.Verdict(c.WantDecision) {
			t.Errorf("EvaluateSCPs decision = %s, want %s; reasons: %+v", res.Decision, c.WantDecision, res.Reasons)
		}
		if c.WantReasons != nil {
			var got []wantReason
			for _, r := range res.Reasons {
				w := wantReason{Level: r.Level}
				if r.Statement != (policy.StatementRef{}) {
					w.Policy, w.Sid, w.Effect = r.Statement.Policy, r.Statement.Sid, string(r.Statement.Effect)
				}
				got = append(got, w)
			}
			if diff := cmp.Diff(c.WantReasons, got); diff != "" {
				t.Errorf("EvaluateSCPs reasons mismatch (-want +got):\n%s", diff)
			}
		}
	}
	if cv := c.Coverage; cv != nil {
		checked = true
		got := policy.RootDenyCoverage(levels, cv.Account, cv.Actions)
		want := cv.WantHoles
		if want == nil {
			want = []string{}
		}
		if diff := cmp.Diff(want, got.Holes); diff != "" {
			t.Errorf("RootDenyCoverage holes mismatch (-want +got):\n%s", diff)
		}
		if got.Complete != (len(want) == 0) {
			t.Errorf("Complete = %v with holes %v", got.Complete, got.Holes)
		}
		for action, codes := range cv.WantWhy {
			var gotCodes []string
			for _, a := range got.Actions {
				if a.Action == action {
					for _, m := range a.Why {
						if m.Code == "" {
							continue // "no Deny statement covers"
						}
						gotCodes = append(gotCodes, string(m.Code))
					}
				}
			}
			sort.Strings(gotCodes)
			sort.Strings(codes)
			if diff := cmp.Diff(codes, gotCodes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("why %s mismatch (-want +got):\n%s", action, diff)
			}
		}
	}
	if tk := c.Tasks; tk != nil {
		checked = true
		got := policy.RootTaskAccess(levels, tk.Account, tk.Actions)
		want := tk.WantBlocked
		if want == nil {
			want = []string{}
		}
		if diff := cmp.Diff(want, got.Blocked); diff != "" {
			t.Errorf("RootTaskAccess blocked mismatch (-want +got):\n%s", diff)
		}
		if got.Working != (len(want) == 0) {
			t.Errorf("Working = %v with blocked %v", got.Working, got.Blocked)
		}
		var fixes []string
		for _, a := range got.Actions {
			fixes = append(fixes, a.Fix...)
		}
		all := strings.Join(fixes, "\n")
		for _, f := range tk.WantFix {
			if !strings.Contains(all, f) {
				t.Errorf("fixes %q do not mention %q", fixes, f)
			}
		}
	}
	if !checked {
		t.Fatal("case has no expectation")
	}
}
