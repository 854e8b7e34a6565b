// Package oidctest is an OpenID Connect provider started in-process for
// tests: discovery, JWKS, an authorization endpoint whose form signs in
// whichever subject is typed, and a token endpoint that checks the client,
// the redirect URI and the PKCE verifier and returns an ID token signed
// with a fresh RSA key (go-jose).
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Provider is a running test provider.
type Provider struct {
	// Issuer is its issuer URL (the server's base URL).
	Issuer string
	// ClientID and ClientSecret are the one client it knows.
	ClientID, ClientSecret string

	key    *rsa.PrivateKey
	signer jose.Signer

	mu    sync.Mutex
	codes map[string]grant
}

type grant struct {
	subject, nonce, challenge, redirect string
}

// Start serves a provider on loopback until the test ends.
func Start(tb testing.TB, clientID, clientSecret string) *Provider {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "test", Algorithm: "RS256"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: key, signer: signer, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.keys)
	mux.HandleFunc("GET /authorize", p.authorizeForm)
	mux.HandleFunc("POST /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	p.Issuer = srv.URL
	return p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "test", Algorithm: "RS256", Use: "sig"}}})
}

var form = template.Must(template.New("form").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/authorize">
{{range $k, $v := .}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<label for="login">Subject</label> <input id="login" name="login" autocomplete="username">
<button type="submit" id="signin">Sign in</button>
</form></main></body></html>`))

// authorizeForm asks which subject signs in.
func (p *Provider) authorizeForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.ClientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	form.Execute(w, q)
}

// authorize issues a code for the subject and sends the browser back.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	sub := r.PostFormValue("login")
	redirect := r.PostFormValue("redirect_uri")
	u, err := url.Parse(redirect)
	if sub == "" || err != nil || r.PostFormValue("client_id") != p.ClientID {
		http.Error(w, "bad sign-in", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{subject: sub, nonce: r.PostFormValue("nonce"), challenge: r.PostFormValue("code_challenge"), redirect: redirect}
	p.mu.Unlock()
	q := u.Query()
	q.Set("code", code)
	q.Set("state", r.PostFormValue("state"))
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// token exchanges a code once, for the client that asked for it.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || secret != p.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	code := r.PostFormValue("code")
	p.mu.Lock()
	g, found := p.codes[code]
	delete(p.codes, code)
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if !found || r.PostFormValue("grant_type") != "authorization_code" || r.PostFormValue("redirect_uri") != g.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	tok, err := p.IDToken(g.subject, g.nonce, time.Now())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": tok})
}

// IDToken signs an ID token for the subject, issued at now.
func (p *Provider) IDToken(subject, nonce string, now time.Time) (string, error) {
	claims := struct {
		jwt.Claims
		Nonce string `json:"nonce,omitempty"`
		Name  string `json:"name"`
	}{
		Claims: jwt.Claims{Issuer: p.Issuer, Subject: subject, Audience: jwt.Audience{p.ClientID},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute))},
		Nonce: nonce, Name: subject,
	}
	return jwt.Signed(p.signer).Claims(claims).Serialize()
}
