package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/rootguard/rootguard/internal/policy"
)

// Options configure a Server.
type Options struct {
	// Writable allows operations marked as writes. Without it every write
	// is refused with AccessDenied.
	Writable bool
	// Now is the server's clock (default time.Now). Relative scenario dates
	// and session expiry are computed from it.
	Now func() time.Time
	// Sleep waits for injected latency (default: a timer that stops when
	// ctx is done). Tests pass a function that records the durations.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives one debug record per call (default: discard).
	Logger *slog.Logger
	// Addr is where Start listens (default 127.0.0.1:0, a free port). It
	// must be a loopback address: the endpoint checks no signatures.
	Addr string
	// TrailDir, when set, is where every call served is recorded as a
	// CloudTrail record, in gzip log files under CloudTrail's key layout
	// (AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/), so that trail scan
	// reads them. Records are written in batches and on Close (FlushTrail).
	TrailDir string
	// CallerPolicy, when set, is the identity policy of the scenario's
	// caller: a call it does not allow is answered AccessDenied, as AWS
	// does. Nil leaves the caller unrestricted.
	CallerPolicy *policy.Policy
	// RolePolicy, when set, is the identity policy of every role that
	// sts:AssumeRole sessions run as (the member accounts' access role).
	RolePolicy *policy.Policy
}

// Call is one request the server answered.
type Call struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Action is the IAM action the call was authorised as.
	Action string `json:"action"`
	// Account is the account acted on: the session's account, or the target
	// of AssumeRoot, AssumeRole and Account Management calls with AccountId.
	Account string `json:"account,omitempty"`
	// Principal is the ARN of the calling session.
	Principal string    `json:"principal,omitempty"`
	Write     bool      `json:"write,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	At        time.Time `json:"at"`
}

// Server is a loopback HTTP endpoint that speaks the AWS wire protocols for
// the services in its operation table and answers from a Scenario.
type Server struct {
	w        *world
	opts     Options
	services map[string]*service

	ln  net.Listener
	hs  *http.Server
	url string

	// state guards the world: writes hold it exclusively, reads shared.
	state sync.RWMutex

	mu       sync.Mutex
	sessions map[string]*session // by access key ID
	calls    []Call
	hits     map[faultKey]int
	reports  map[string]*report // credential report state by account
	seq      int

	queries   queryStore        // CloudTrail Lake and Athena queries
	imported  []ImportedFinding // Security Hub findings, in import order
	sent      []Email           // SES v2 messages, in order
	updated   []FindingUpdate   // Security Hub BatchUpdateFindings calls, in order
	published []Published       // SNS messages, in publish order

	trail trailRecorder // CloudTrail records of the calls (Options.TrailDir)
	mail  mailbox       // SQS messages

	scps policy.Cache // compiled SCPs, by ID and content
}

type faultKey struct {
	fault   int
	account string
}

// Fixed credentials of the scenario's caller.
const (
	callerAccessKeyID = "AKIAROOTGUARDSIM0001"
	callerSecretKey   = "rootguard-sim-caller-secret-access-key"
)

// New builds a Server without listening; serve it with Handler. A
// writable server works on its own copy of s, so writes never reach the
// caller's scenario (Server.Scenario returns the state).
func New(s *Scenario, opts Options) (*Server, error) {
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	if opts.Writable {
		c, err := s.clone()
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		s = c
	}
	w, err := newWorld(s)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	srv := &Server{
		w:        w,
		opts:     opts,
		services: services,
		sessions: map[string]*session{},
		hits:     map[faultKey]int{},
		reports:  map[string]*report{},
	}
	srv.addCaller("", s.Caller.ARN, callerAccessKeyID, callerSecretKey)
	for _, id := range s.Callers {
		akid, secret := id.credentials()
		srv.addCaller(id.Name, id.ARN, akid, secret)
	}
	return srv, nil
}

// Start builds a Server and serves it on Options.Addr, by default
// 127.0.0.1 at a free port.
func Start(s *Scenario, opts Options) (*Server, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	srv, err := New(s, opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv.ln = ln
	srv.url = "http://" + ln.Addr().String()
	srv.hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.hs.Serve(ln) //nolint:errcheck // Serve always returns ErrServerClosed after Close.
	return srv, nil
}

// CheckLoopback accepts host:port addresses on the loopback interface only
// (127.0.0.0/8, ::1 or localhost): the endpoint trusts any signature, so it
// must not be reachable from another machine.
func CheckLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: want host:port, such as 127.0.0.1:4566", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("address %q: not a loopback address; the endpoint checks no signatures, so it listens on 127.0.0.1, ::1 or localhost only", addr)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// URL is the base endpoint for config.WithBaseEndpoint.
func (s *Server) URL() string { return s.url }

// Credentials are the caller's fixed access key ID and secret key.
func (s *Server) Credentials() (accessKeyID, secretAccessKey string) {
	return callerAccessKeyID, callerSecretKey
}

// addCaller registers a caller's long-term credentials.
func (s *Server) addCaller(name, arn, akid, secret string) {
	s.sessions[akid] = &session{
		kind:    sessCaller,
		name:    name,
		akid:    akid,
		secret:  secret,
		account: arnAccount(arn),
		arn:     arn,
		userID:  callerUserID(arn),
	}
}

// IdentityCredentials are the long-term credentials of the scenario's
// caller called name (Scenario.Callers); "" names the default caller.
func (s *Server) IdentityCredentials(name string) (accessKeyID, secretAccessKey string, err error) {
	if name == "" {
		return callerAccessKeyID, callerSecretKey, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, sess := range s.sessions {
		if sess.kind != sessCaller || sess.name == "" {
			continue
		}
		if sess.name == name {
			return sess.akid, sess.secret, nil
		}
		names = append(names, sess.name)
	}
	slices.Sort(names)
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return "", "", fmt.Errorf("identity %q: the scenario has no caller of that name (callers: %s)", name, have)
}

// Region is the scenario's region.
func (s *Server) Region() string { return s.w.region }

// Calls returns a copy of every call answered so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Close stops the listener, gives active requests a moment to finish, then
// closes every connection (including ones a client dialed but never used,
// which a graceful shutdown would wait for).
func (s *Server) Close() error {
	if s.hs == nil {
		return s.FlushTrail()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if err := s.hs.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return errors.Join(err, s.FlushTrail())
	}
	return errors.Join(s.hs.Close(), s.FlushTrail())
}

// Handler serves every service on one mux: the service comes from the SigV4
// credential scope of the Authorization header.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// scopeRe matches Credential=AKID/date/region/service/aws4_request.
var scopeRe = regexp.MustCompile(`Credential=([^/,\s]+)/(\d{8})/([^/,]*)/([^/,]+)/aws4_request`)

const maxBody = 1 << 20

func (s *Server) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	s.mu.Lock()
	s.seq++
	reqID := fmt.Sprintf("5e1a0000-0000-4000-8000-%012d", s.seq)
	s.mu.Unlock()

	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "request body unreadable or larger than 1 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	r := &request{ctx: hr.Context(), srv: s, hr: hr, body: body, reqID: reqID, now: s.opts.Now().UTC()}

	m := scopeRe.FindStringSubmatch(hr.Header.Get("Authorization"))
	if m == nil {
		r.svc = guessService(hr)
		s.finish(w, r, errf("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token"))
		return
	}
	akid, region, svcName := m[1], m[3], m[4]
	r.region = region
	svc := s.services[svcName]
	if svcName == "ses" && strings.HasPrefix(hr.URL.Path, "/v2/") {
		svc = sesv2
	}
	if svc == nil {
		r.svc = guessService(hr)
		s.finish(w, r, errf("UnrecognizedServiceException", http.StatusBadRequest, "service %s is not served by this endpoint", svcName))
		return
	}
	r.svc = svc
	if err := svc.parse(r); err != nil {
		s.finish(w, r, err)
		return
	}
	if r.spec = svc.ops[r.op]; r.spec == nil {
		code := "InvalidAction"
		if svc.proto != protoQuery {
			code = "UnknownOperationException"
		}
		s.finish(w, r, errf(code, http.StatusBadRequest, "operation %s is not supported by this endpoint", r.op))
		return
	}
	if err := s.authenticate(r, akid); err != nil {
		s.finish(w, r, err)
		return
	}
	r.target = r.sess.account
	if r.spec.target != nil {
		if t := r.spec.target(r); t != "" {
			r.target = t
		}
	}
	if err := s.inject(r); err != nil {
		s.finish(w, r, err)
		return
	}
	if r.spec.write && !s.opts.Writable {
		s.finish(w, r, errf("AccessDenied", http.StatusForbidden, "%s:%s is a write and this endpoint is read-only", svc.name, r.op))
		return
	}
	if err := s.authorize(r); err != nil {
		s.finish(w, r, err)
		return
	}
	if !r.spec.unlocked {
		defer s.lockState(r.spec.write)()
	}
	out, err := s.handle(r)
	if err != nil {
		s.finish(w, r, err)
		return
	}
	r.out = out
	s.finish(w, r, nil)
}

// lockState holds the world for one call until its answer is written (an
// answer may share slices with the world): a write exclusively, a read
// shared.
func (s *Server) lockState(write bool) (unlock func()) {
	if write {
		s.state.Lock()
		return s.state.Unlock
	}
	s.state.RLock()
	return s.state.RUnlock
}

// handle runs the operation; a panic becomes an InternalFailure answer.
func (s *Server) handle(r *request) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errf("InternalFailure", http.StatusInternalServerError, "%s:%s panicked: %v", r.svc.name, r.op, p)
		}
	}()
	return r.spec.handle(r)
}

// finish writes the answer in the service's protocol and records the call.
func (s *Server) finish(w http.ResponseWriter, r *request, err error) {
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		ae = errf("InternalFailure", http.StatusInternalServerError, "%v", err)
	}
	if r.svc == nil {
		r.svc = services["sts"]
	}
	w.Header().Set("X-Amzn-RequestId", r.reqID)
	if ae != nil {
		r.svc.proto.writeError(w, r, ae)
	} else {
		r.svc.proto.writeResult(w, r, r.out)
	}

	c := Call{Service: r.svc.name, Operation: r.op, Action: Action(r.svc.name, r.op), Account: r.target, At: r.now}
	if r.sess != nil {
		c.Principal = r.sess.arn
	}
	if r.spec != nil {
		c.Write = r.spec.write
	}
	if ae != nil {
		c.ErrorCode = ae.Code
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	if s.opts.TrailDir != "" {
		s.recordTrail(r, ae)
	}
	s.opts.Logger.Debug("sim call", "service", c.Service, "operation", c.Operation,
		"account_id", c.Account, "error_code", c.ErrorCode, "request_id", r.reqID)
}

func guessService(hr *http.Request) *service {
	if strings.HasPrefix(hr.Header.Get("X-Amz-Target"), "AWSOrganizations") {
		return services["organizations"]
	}
	return services["sts"]
}

// inject applies the scenario's latency and the first matching fault.
func (s *Server) inject(r *request) error {
	delay := time.Duration(s.w.latency)
	var fail *apiError
	s.mu.Lock()
	for i, f := range s.w.faults {
		if f.Item != "" || !faultMatches(f, r) {
			continue
		}
		k := faultKey{i, r.target}
		if f.Times > 0 && s.hits[k] >= f.Times {
			continue
		}
		s.hits[k]++
		delay += time.Duration(f.Latency)
		if f.Code != "" {
			fail = errf(f.Code, f.Status, "%s", f.Message)
			if fail.Message == "" {
				fail.Message = "injected fault " + f.Code
			}
			break
		}
	}
	s.mu.Unlock()
	if delay > 0 {
		if err := s.opts.Sleep(r.ctx, delay); err != nil {
			return errf("RequestTimeout", http.StatusRequestTimeout, "request cancelled during injected latency")
		}
	}
	if fail != nil {
		return fail
	}
	return nil
}

// faultMatches reports whether f applies to the call's operation and account.
func faultMatches(f Fault, r *request) bool {
	svc, op, _ := strings.Cut(f.Operation, ":")
	if serviceName(svc) != r.svc.name || (op != "*" && op != r.op) {
		return false
	}
	if f.Region != "" && f.Region != "*" && f.Region != r.region {
		return false
	}
	return f.Account == "" || f.Account == "*" || f.Account == r.target
}

// request is one call being answered.
type request struct {
	ctx    context.Context
	srv    *Server
	hr     *http.Request
	body   []byte
	form   url.Values        // query protocol parameters
	labels map[string]string // REST path labels
	cbor   cbor.Map          // RPC v2 CBOR input
	region string
	reqID  string
	now    time.Time

	svc    *service
	op     string
	spec   *operation
	sess   *session
	target string
	out    any
}

// param returns a query protocol parameter.
func (r *request) param(name string) string { return r.form.Get(name) }

// world is the scenario, indexed.
type world struct {
	scn      *Scenario
	region   string
	latency  Duration
	faults   []Fault
	org      *Organization // nil when standalone
	tree     *tree
	mgmt     string
	accounts map[string]*account
	order    []*account
	policies []*orgPolicy // service control policies, FullAWSAccess first
}

type account struct {
	*Account
	parent string // root or OU ID
}

func newWorld(s *Scenario) (*world, error) {
	w := &world{
		scn:      s,
		region:   s.Region,
		latency:  s.Latency,
		faults:   s.Faults,
		org:      s.Organization,
		accounts: map[string]*account{},
	}
	if w.region == "" {
		w.region = "us-east-1"
	}
	if w.org != nil {
		t, err := buildTree(w.org)
		if err != nil {
			return nil, err
		}
		w.tree = t
		w.mgmt = w.org.ManagementAccount
	}
	for i := range s.Accounts {
		a := &account{Account: &s.Accounts[i]}
		if w.tree != nil {
			p, err := w.tree.resolve(a.OU)
			if err != nil {
				return nil, err
			}
			a.parent = p
		}
		w.accounts[a.ID] = a
		w.order = append(w.order, a)
	}
	if w.org != nil {
		w.policies = buildPolicies(w)
	}
	return w, nil
}

func (w *world) state(a *account) string {
	if a.State == "" {
		return "ACTIVE"
	}
	return a.State
}

func (w *world) hasFeature(f string) bool {
	return w.org != nil && slices.Contains(w.org.Features, f)
}

func (w *world) trusted(principal string) bool {
	return w.org != nil && slices.Contains(w.org.TrustedServices, principal)
}

// isAdmin reports whether acct is the management account or a delegated
// administrator for principal.
func (w *world) isAdmin(acct, principal string) bool {
	if w.org == nil {
		return false
	}
	if acct == w.mgmt {
		return true
	}
	return principal != "" && slices.Contains(w.org.DelegatedAdministrators[principal], acct)
}

// isDelegatedAny reports whether acct is a delegated administrator for any
// service (which lets it read the organization).
func (w *world) isDelegatedAny(acct string) bool {
	if w.org == nil {
		return false
	}
	for _, ids := range w.org.DelegatedAdministrators {
		if slices.Contains(ids, acct) {
			return true
		}
	}
	return false
}
