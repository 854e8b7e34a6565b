package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// role is what a signed-in person may do; each role includes the ones
// before it.
type role int

// The roles. A person without a recorded role is a viewer.
const (
	viewer   role = iota + 1 // reads every page
	approver                 // approves and denies break-glass requests
	admin                    // assigns roles
)

// roleNames are the names the store records, in order.
var roleNames = []string{"viewer", "approver", "admin"}

func (r role) String() string { return roleNames[r-1] }

// parseRole returns the role a name stands for.
func parseRole(name string) (role, error) {
	for i, n := range roleNames {
		if n == name {
			return role(i + 1), nil
		}
	}
	return 0, fmt.Errorf("role %q: want viewer, approver or admin", termsafe.Shorten(name, 40))
}

// AdminIdentity is the bootstrap administrator's identity.
const AdminIdentity = "local:admin"

// user is who is signed in.
type user struct {
	Identity string
	Person   breakglass.Person // zero for the bootstrap admin unless mapped
	Role     role
	CSRF     string
	session  string // the hash of the session cookie
}

// Name is how the pages name the user.
func (u *user) Name() string {
	switch {
	case u.Person.Name != "":
		return u.Person.Name
	case u.Person.ID != "":
		return u.Person.ID
	}
	return u.Identity
}

// Can reports whether the user holds at least the role named.
func (u *user) Can(name string) bool {
	r, err := parseRole(name)
	return err == nil && u.Role >= r
}

// CanDecide reports whether the user may approve and deny: an approver
// who is a registered person (the bootstrap admin is nobody's identity).
func (u *user) CanDecide() bool { return u.Role >= approver && u.Person.ID != "" }

func (s *server) cookieName() string {
	if s.cfg.Secure {
		return "__Host-rootguard_session"
	}
	return "rootguard_session"
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// startSession stores a new session for identity and sets its cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, identity string) error {
	tok := randomToken()
	now := s.now()
	if err := s.st.CreateSession(r.Context(), store.Session{IDHash: hashToken(tok), Identity: identity, CSRF: randomToken(),
		Created: now, Expires: now.Add(s.cfg.SessionTTL)}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: tok, Path: "/", MaxAge: int(s.cfg.SessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// errNoPerson: a signed-in identity that the person mapping does not name.
var errNoPerson = errors.New("is not mapped to a person")

// resolve finds the person and role of an identity.
func (s *server) resolve(ctx context.Context, identity string) (*user, error) {
	u := &user{Identity: identity, Role: viewer}
	reg, err := s.st.Breakglass().Registry(ctx)
	if err != nil {
		return nil, err
	}
	p, err := reg.Resolve(identity)
	switch {
	case err == nil:
		u.Person = p
	case identity == AdminIdentity:
		u.Role = admin
		return u, nil
	case errors.Is(err, breakglass.ErrUnknownIdentity):
		return nil, fmt.Errorf("identity %s %w: an administrator maps it with rootguard breakglass person add ID --identity %s", identity, errNoPerson, identity)
	default:
		return nil, err
	}
	roles, err := s.st.Roles(ctx)
	if err != nil {
		return nil, err
	}
	if name, ok := roles[p.ID]; ok {
		if u.Role, err = parseRole(name); err != nil {
			return nil, fmt.Errorf("person %s: %w", p.ID, err)
		}
	}
	if identity == AdminIdentity {
		u.Role = admin
	}
	return u, nil
}

// current returns the signed-in user, or nil.
func (s *server) current(r *http.Request) (*user, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	h := hashToken(c.Value)
	ss, ok, err := s.st.Session(r.Context(), h, s.now())
	if err != nil || !ok {
		return nil, err
	}
	u, err := s.resolve(r.Context(), ss.Identity)
	if err != nil {
		if errors.Is(err, errNoPerson) {
			return nil, nil // unmapped since: signed out
		}
		return nil, err
	}
	u.CSRF, u.session = ss.CSRF, h
	return u, nil
}

type userHandler func(w http.ResponseWriter, r *http.Request, u *user)

// authed serves h to a signed-in user holding at least role: a GET by
// someone signed out is sent to the sign-in page; a POST must carry the
// session's CSRF token.
func (s *server) authed(need role, h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.current(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if u == nil {
			if r.Method == http.MethodGet && r.URL.Path != "/activity.json" {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !equal(r.PostFormValue("csrf"), u.CSRF) {
				http.Error(w, "missing or wrong CSRF token: reload the page and try again", http.StatusForbidden)
				return
			}
		}
		if u.Role < need {
			http.Error(w, fmt.Sprintf("%s may not do this: it needs the %s role", u.Name(), need), http.StatusForbidden)
			return
		}
		h(w, r, u)
	}
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, u *user) {
	if err := s.st.DeleteSession(r.Context(), u.session); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// loginCSRF is the cookie of the sign-in form's token (there is no
// session yet to keep it in): the form must echo it.
const loginCSRF = "rootguard_login"

type loginData struct {
	OIDC  bool
	Local bool
	CSRF  string
	Error string
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, "")
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	// The token lasts the hour, so that a refused try can be repeated.
	tok := randomToken()
	if c, err := r.Cookie(loginCSRF); err == nil && len(c.Value) == len(tok) {
		tok = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRF, Value: tok, Path: "/login", MaxAge: 3600, HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	s.render(w, r, status, "login", nil, "Sign in", loginData{OIDC: s.oidc != nil, Local: len(s.cfg.Auth.AdminPasswordHash) > 0, CSRF: tok, Error: msg})
}

// localLogin signs the bootstrap administrator in.
func (s *server) localLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCSRF)
	if err != nil || !equal(r.PostFormValue("csrf"), c.Value) {
		http.Error(w, "missing or wrong CSRF token: reload the sign-in page and try again", http.StatusForbidden)
		return
	}
	if len(s.cfg.Auth.AdminPasswordHash) == 0 {
		s.renderLogin(w, r, http.StatusForbidden, "No local administrator is configured.")
		return
	}
	client := clientIP(r)
	if !s.limiter.allow(client, s.now()) {
		s.renderLogin(w, r, http.StatusTooManyRequests, "Too many failed sign-ins; wait a minute.")
		return
	}
	user, pw := r.PostFormValue("username"), r.PostFormValue("password")
	// The hash is compared whatever the user name, so that a wrong name
	// takes as long as a wrong password.
	bad := bcrypt.CompareHashAndPassword(s.cfg.Auth.AdminPasswordHash, []byte(pw)) != nil
	if bad || subtle.ConstantTimeCompare([]byte(user), []byte("admin")) != 1 {
		s.limiter.fail(client, s.now())
		s.log.Warn("local sign-in refused", "client", client)
		s.renderLogin(w, r, http.StatusUnauthorized, "Wrong user name or password.")
		return
	}
	roles, err := s.st.Roles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, name := range roles {
		if name == admin.String() {
			s.renderLogin(w, r, http.StatusForbidden, "The bootstrap administrator is disabled: a person holds the admin role. Sign in with your provider.")
			return
		}
	}
	if err := s.startSession(w, r, AdminIdentity); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("signed in", "identity", AdminIdentity)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// checkAdminHash refuses a configured hash that is not bcrypt.
func checkAdminHash(h []byte) error {
	if len(h) == 0 {
		return nil
	}
	if _, err := bcrypt.Cost(h); err != nil {
		return fmt.Errorf("web: the bootstrap admin's password hash: %w (want a bcrypt hash)", err)
	}
	return nil
}

// HashPassword returns the bcrypt hash of a password, for the bootstrap
// administrator.
func HashPassword(pw string) ([]byte, error) {
	if len(pw) < 12 {
		return nil, errors.New("password: at least 12 characters")
	}
	return bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter allows max failures per client in each window; it forgets
// clients whose window has passed, and holds at most maxClients.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string]failures
}

type failures struct {
	n     int
	since time.Time
}

const maxClients = 10000

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string]failures{}}
}

func (l *limiter) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.fails[client]
	if ok && now.Sub(f.since) >= l.window {
		delete(l.fails, client)
		return true
	}
	// Too many clients failing at once: everyone waits.
	return f.n < l.max && len(l.fails) < maxClients
}

func (l *limiter) fail(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= maxClients {
		for k, f := range l.fails {
			if now.Sub(f.since) >= l.window {
				delete(l.fails, k)
			}
		}
	}
	f := l.fails[client]
	if f.n == 0 {
		f.since = now
	}
	f.n++
	l.fails[client] = f
}
