package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/checks"
	"github.com/rootguard/rootguard/internal/custody"
	"github.com/rootguard/rootguard/internal/drill"
	"github.com/rootguard/rootguard/internal/recovery"
	"github.com/rootguard/rootguard/internal/store"
)

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"lower": strings.ToLower,
	"inc":   func(i int) int { return i + 1 },
	"json": func(v any) (string, error) {
		b, err := json.MarshalIndent(v, "", "  ")
		return string(b), err
	},
}

// parsePages parses each page with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what the layout renders.
type page struct {
	Title string
	Nav   string
	User  *user
	Data  any
}

// render writes a page, whole or not at all.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, u *user, title string, data any) {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", page{Title: title, Nav: name, User: u, Data: data}); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	b.WriteTo(w)
}

// fail logs err and answers 500 without its details.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("dashboard", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error; the server's log says more", http.StatusInternalServerError)
}

// statusRank orders statuses for "worst of": a FAIL outweighs an UNKNOWN,
// which outweighs a PASS (a fact not read is never an all-clear).
func statusRank(st string) int {
	switch st {
	case string(checks.Fail):
		return 5
	case string(checks.Unknown):
		return 4
	case "MUTED":
		return 3
	case string(checks.Pass):
		return 2
	case string(checks.NotApplicable):
		return 1
	}
	return 0
}

func findingStatus(f checks.Finding) string {
	if f.Muted != nil {
		return "MUTED"
	}
	return string(f.Status)
}

// Steps are the SEC01-BP02 steps in the order the check registry first
// names them.
func Steps(reg *checks.Registry) []string {
	var out []string
	for _, c := range reg.Checks() {
		if !slices.Contains(out, c.References.SEC01BP02) {
			out = append(out, c.References.SEC01BP02)
		}
	}
	return out
}

type cell struct {
	Status string
	Fail   int
	Total  int
}

type accountRow struct {
	ID, Name string
	Cells    []cell
	Worst    string
}

type overviewData struct {
	Scan     *store.Scan
	Steps    []string
	Accounts []accountRow
	Pending  int
}

func (s *server) overview(w http.ResponseWriter, r *http.Request, u *user) {
	sc, rep, err := s.st.LatestScan(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := overviewData{Scan: sc, Steps: Steps(checks.Default())}
	if rep != nil {
		d.Accounts = grid(d.Steps, rep.Findings)
	}
	reqs, err := s.st.Breakglass().List(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, q := range reqs {
		if q.State == breakglass.Pending {
			d.Pending++
		}
	}
	s.render(w, r, http.StatusOK, "overview", u, "Organization", d)
}

// grid groups findings by account and step; each cell holds the worst
// status among the step's checks.
func grid(steps []string, findings []checks.Finding) []accountRow {
	reg := checks.Default()
	col := map[string]int{}
	for i, st := range steps {
		col[st] = i
	}
	rows := map[string]*accountRow{}
	for _, f := range findings {
		row := rows[f.AccountID]
		if row == nil {
			row = &accountRow{ID: f.AccountID, Name: f.AccountName, Cells: make([]cell, len(steps))}
			rows[f.AccountID] = row
		}
		c, ok := reg.Lookup(f.CheckID)
		if !ok {
			continue
		}
		cl := &row.Cells[col[c.References.SEC01BP02]]
		st := findingStatus(f)
		cl.Total++
		if st == string(checks.Fail) {
			cl.Fail++
		}
		if statusRank(st) > statusRank(cl.Status) {
			cl.Status = st
		}
		if statusRank(st) > statusRank(row.Worst) {
			row.Worst = st
		}
	}
	out := make([]accountRow, 0, len(rows))
	for _, row := range rows {
		for i := range row.Cells {
			if row.Cells[i].Status == "" {
				row.Cells[i].Status = "—"
			}
		}
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b accountRow) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

type finding struct {
	checks.Finding
	Step   string
	Shown  string
	Since  time.Time
	Remedy string
}

type accountData struct {
	ID, Name     string
	Findings     []finding
	Chart        chart
	Custody      *custody.Account
	Holders      map[string]string
	Graph        template.HTML
	GraphNote    string
	Requests     []breakglass.Request
	ScanFinished time.Time
}

func (s *server) account(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	id := r.PathValue("id")
	sc, rep, err := s.st.LatestScan(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := accountData{ID: id}
	if sc != nil {
		d.ScanFinished = sc.Finished
	}
	hist, err := s.st.History(ctx, store.HistoryFilter{AccountID: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	since := map[string]time.Time{}
	for _, h := range hist {
		since[h.CheckID] = h.Since
	}
	reg := checks.Default()
	if rep != nil {
		for _, f := range rep.Findings {
			if f.AccountID != id {
				continue
			}
			d.Name = f.AccountName
			x := finding{Finding: f, Shown: findingStatus(f), Since: since[f.CheckID]}
			if c, ok := reg.Lookup(f.CheckID); ok {
				x.Step, x.Title, x.Remedy = c.References.SEC01BP02, c.Title, c.Remediation
			}
			d.Findings = append(d.Findings, x)
		}
	}
	if len(d.Findings) == 0 {
		s.render(w, r, http.StatusNotFound, "notfound", u, "No such account", "No recorded scan has findings for account "+id+".")
		return
	}
	slices.SortStableFunc(d.Findings, func(a, b finding) int { return statusRank(b.Shown) - statusRank(a.Shown) })
	counts, err := s.st.AccountHistory(ctx, id, 30)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Chart = historyChart(counts)
	cust, err := s.st.Custody(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cust != nil {
		d.Custody = cust.Lookup(id)
		d.Holders = map[string]string{}
		for _, p := range cust.People {
			d.Holders[p.ID] = cmp.Or(p.Name, p.ID)
		}
	}
	d.Graph, d.GraphNote = s.graph(r, id, cust)
	if d.Requests, err = s.st.Breakglass().List(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account", u, "Account "+id, d)
}

// graph draws the account's recovery graph from the latest snapshot.
func (s *server) graph(r *http.Request, id string, reg *custody.Registry) (template.HTML, string) {
	if s.cfg.Snapshot == nil {
		return "", "No snapshot yet: the recovery graph appears once the service has collected one."
	}
	snap, err := s.cfg.Snapshot(r.Context())
	if err != nil {
		s.log.Error("snapshot", "err", err)
		return "", "The latest snapshot could not be read; the server's log says why."
	}
	if snap == nil {
		return "", "No snapshot yet: the recovery graph appears once the service has collected one."
	}
	g := recovery.Build(snap, recovery.Options{Secrets: checks.Secrets(reg)}).Subgraph(id)
	if len(g.Nodes) == 0 {
		return "", "The latest snapshot does not hold account " + id + "."
	}
	var b bytes.Buffer
	if err := recovery.WriteSVG(&b, g); err != nil {
		s.log.Error("recovery graph", "err", err)
		return "", "The recovery graph could not be drawn; the server's log says why."
	}
	// WriteSVG escapes every text and attribute it writes.
	return template.HTML(b.String()), ""
}

// chart is the history chart: one bar per scan, its failing findings
// over its total.
type chart struct {
	Width, Height int
	Bars          []bar
	Max           int
}

type bar struct {
	X, Y, W, H    int
	FailY, FailH  int
	Label         string
	Fail, Total   int
	Unknown, Pass int
}

const chartH = 120

func historyChart(counts []store.ScanCounts) chart {
	c := chart{Height: chartH + 20}
	for _, sc := range counts {
		t := 0
		for _, n := range sc.ByStatus {
			t += n
		}
		c.Max = max(c.Max, t)
	}
	const w, gap = 18, 6
	for i, sc := range counts {
		b := bar{X: 30 + i*(w+gap), W: w, Label: sc.Started.Format("2006-01-02 15:04"),
			Fail: sc.ByStatus[string(checks.Fail)], Unknown: sc.ByStatus[string(checks.Unknown)], Pass: sc.ByStatus[string(checks.Pass)]}
		for _, n := range sc.ByStatus {
			b.Total += n
		}
		if c.Max > 0 {
			b.H = b.Total * chartH / c.Max
			b.FailH = b.Fail * chartH / c.Max
		}
		b.Y, b.FailY = chartH-b.H+5, chartH-b.FailH+5
		c.Bars = append(c.Bars, b)
	}
	c.Width = 30 + len(counts)*(w+gap) + 10
	return c
}

type activityData struct {
	Alerts []store.StoredAlert
	PollMS int64
}

// alertLimit is how many alerts the timeline shows.
const alertLimit = 200

func (s *server) activity(w http.ResponseWriter, r *http.Request, u *user) {
	as, err := s.st.RecentAlerts(r.Context(), alertLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "activity", u, "Root activity", activityData{Alerts: as, PollMS: s.cfg.PollInterval.Milliseconds()})
}

// alertJSON is one alert as the live view reads it.
type alertJSON struct {
	EventID      string `json:"event_id"`
	EventTime    string `json:"event_time"`
	Stored       string `json:"stored"`
	RuleID       string `json:"rule_id"`
	Severity     string `json:"severity"`
	Title        string `json:"title"`
	AccountID    string `json:"account_id"`
	EventName    string `json:"event_name"`
	Principal    string `json:"principal"`
	RootRequired bool   `json:"root_required"`
	RootTask     string `json:"root_task"`
}

func (s *server) activityJSON(w http.ResponseWriter, r *http.Request, u *user) {
	as, err := s.st.RecentAlerts(r.Context(), alertLimit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]alertJSON, 0, len(as))
	for _, a := range as {
		out = append(out, alertJSON{EventID: a.EventID, EventTime: a.EventTime, Stored: a.Stored.Format(time.RFC3339), RuleID: a.RuleID,
			Severity: string(a.Severity), Title: a.Title, AccountID: a.AccountID, EventName: a.EventName, Principal: a.Principal,
			RootRequired: a.RootRequired, RootTask: a.RootTask})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

type queueData struct {
	Pending, Past []breakglass.Request
	Message       string
	Refused       bool
}

func (s *server) breakglassQueue(w http.ResponseWriter, r *http.Request, u *user) {
	s.renderQueue(w, r, u, http.StatusOK, "", false)
}

func (s *server) renderQueue(w http.ResponseWriter, r *http.Request, u *user, status int, msg string, refused bool) {
	reqs, err := s.st.Breakglass().List(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := queueData{Message: msg, Refused: refused}
	now := s.now()
	for _, q := range reqs {
		if q.State == breakglass.Pending && now.Before(q.ExpiresAt) {
			d.Pending = append(d.Pending, q)
		} else {
			d.Past = append(d.Past, q)
		}
	}
	s.render(w, r, status, "breakglass", u, "Break-glass requests", d)
}

// decide approves or denies a request through the break-glass service:
// the two-person rule and the conditional write are the store's, the
// audit record comes first, as on the CLI.
func (s *server) decide(w http.ResponseWriter, r *http.Request, u *user) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if !breakglass.ValidRequestID(id) || (action != "approve" && action != "deny") {
		http.NotFound(w, r)
		return
	}
	if !u.CanDecide() {
		s.renderQueue(w, r, u, http.StatusForbidden, "Refused: the bootstrap administrator decides no request; sign in as a registered person.", true)
		return
	}
	if s.cfg.Audit == nil {
		s.renderQueue(w, r, u, http.StatusServiceUnavailable, "No audit log is configured: no decision without its record.", true)
		return
	}
	svc := breakglass.Service{Repo: s.st.Breakglass(), Audit: s.cfg.Audit, Policy: breakglass.DefaultPolicy(), Now: s.now}
	var err error
	var q breakglass.Request
	if action == "approve" {
		q, err = svc.Approve(r.Context(), u.Identity, id)
	} else {
		q, err = svc.Deny(r.Context(), u.Identity, id)
	}
	switch {
	case err == nil:
		s.log.Info("break-glass decision", "request_id", id, "action", action, "identity", u.Identity)
		s.renderQueue(w, r, u, http.StatusOK, fmt.Sprintf("Request %s is now %s.", id, q.State), false)
	case errors.Is(err, breakglass.ErrSelfApproval), errors.Is(err, breakglass.ErrUnknownIdentity):
		s.renderQueue(w, r, u, http.StatusForbidden, "Refused: "+err.Error()+".", true)
	case errors.Is(err, breakglass.ErrState), errors.Is(err, breakglass.ErrConflict), errors.Is(err, breakglass.ErrNotFound):
		s.renderQueue(w, r, u, http.StatusConflict, "Refused: "+err.Error()+".", true)
	default:
		s.fail(w, r, err)
	}
}

type drillRow struct {
	AccountID, Name string
	Status          string
	LastVerified    *drill.Drill
	LastAttested    *drill.Drill
	Due             time.Time
	Overdue         bool
}

func (s *server) drills(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	_, rep, err := s.st.LatestScan(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, err := s.st.Drills(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	var rows []drillRow
	if rep != nil {
		for _, f := range rep.Findings {
			if f.CheckID != checks.RootAccessDrillRecent.ID {
				continue
			}
			row := drillRow{AccountID: f.AccountID, Name: f.AccountName, Status: findingStatus(f)}
			for _, k := range []drill.Kind{drill.SignIn, drill.AssumeRoot, drill.Recovery} {
				v, a := drill.Last(ds, f.AccountID, k)
				if v != nil && (row.LastVerified == nil || v.EventTime.After(row.LastVerified.EventTime)) {
					row.LastVerified = v
				}
				if a != nil && (row.LastAttested == nil || a.CheckedAt.After(row.LastAttested.CheckedAt)) {
					row.LastAttested = a
				}
			}
			if row.LastVerified != nil {
				row.Due = row.LastVerified.EventTime.Add(drill.DefaultInterval)
			}
			row.Overdue = row.LastVerified == nil || !now.Before(row.Due)
			rows = append(rows, row)
		}
	}
	// Never verified first, then by when each falls due.
	slices.SortStableFunc(rows, func(a, b drillRow) int {
		return cmp.Or(cmp.Compare(a.Due.UnixMilli(), b.Due.UnixMilli()), cmp.Compare(a.AccountID, b.AccountID))
	})
	s.render(w, r, http.StatusOK, "drills", u, "Drills due", rows)
}

type roleRow struct {
	Person     breakglass.Person
	Identities []string
	Role       string
}

type rolesData struct {
	Rows    []roleRow
	Roles   []string
	Message string
}

func (s *server) rolesPage(w http.ResponseWriter, r *http.Request, u *user) {
	s.renderRoles(w, r, u, http.StatusOK, "")
}

func (s *server) renderRoles(w http.ResponseWriter, r *http.Request, u *user, status int, msg string) {
	reg, err := s.st.Breakglass().Registry(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	roles, err := s.st.Roles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := rolesData{Roles: roleNames, Message: msg}
	for _, p := range reg.Persons {
		row := roleRow{Person: p, Role: cmp.Or(roles[p.ID], viewer.String())}
		for _, m := range reg.Mappings {
			if m.Person == p.ID {
				row.Identities = append(row.Identities, m.Identity)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortFunc(d.Rows, func(a, b roleRow) int { return cmp.Compare(a.Person.ID, b.Person.ID) })
	s.render(w, r, status, "roles", u, "Roles", d)
}

func (s *server) setRole(w http.ResponseWriter, r *http.Request, u *user) {
	person, name := r.PostFormValue("person"), r.PostFormValue("role")
	if _, err := parseRole(name); err != nil {
		s.renderRoles(w, r, u, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.st.SetRole(r.Context(), person, name, u.Identity, s.now()); err != nil {
		s.renderRoles(w, r, u, http.StatusBadRequest, err.Error())
		return
	}
	s.log.Info("role set", "person", person, "role", name, "by", u.Identity)
	s.renderRoles(w, r, u, http.StatusOK, fmt.Sprintf("%s is now %s.", person, name))
}
