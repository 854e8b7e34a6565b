package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rootguard/rootguard/internal/breakglass"
	"github.com/rootguard/rootguard/internal/store"
	"github.com/rootguard/rootguard/internal/termsafe"
)

// loginTTL bounds how long a sign-in may take at the provider.
const loginTTL = 10 * time.Minute

// oidcClient signs people in through an OpenID Connect provider. The
// provider's discovery document is read at the first sign-in (and again
// after a failure), so the dashboard starts while the provider is down.
type oidcClient struct {
	auth AuthConfig

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDC(a AuthConfig) (*oidcClient, error) {
	u, err := url.Parse(a.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("web: OIDC issuer %q: want an https URL", a.Issuer)
	}
	if a.ClientID == "" || a.RedirectURL == "" {
		return nil, fmt.Errorf("web: OIDC issuer %s: give the client ID and the redirect URL too", a.Issuer)
	}
	return &oidcClient{auth: a}, nil
}

func (o *oidcClient) context(ctx context.Context) context.Context {
	if o.auth.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.auth.HTTPClient)
	}
	return ctx
}

// config returns the provider and the OAuth 2 client configuration.
func (o *oidcClient) config(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(o.context(ctx), o.auth.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("OIDC provider %s: %w", o.auth.Issuer, err)
		}
		o.provider = p
	}
	return o.provider, &oauth2.Config{
		ClientID: o.auth.ClientID, ClientSecret: o.auth.ClientSecret, RedirectURL: o.auth.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// oidcStart sends the browser to the provider with a fresh state, nonce
// and PKCE verifier, kept in the store for whichever replica receives the
// callback.
func (s *server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		http.NotFound(w, r)
		return
	}
	_, oc, err := s.oidc.config(r.Context())
	if err != nil {
		s.log.Error("OIDC discovery", "err", err)
		s.renderLogin(w, r, http.StatusBadGateway, "The sign-in provider cannot be reached; try again shortly.")
		return
	}
	l := store.Login{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Expires: s.now().Add(loginTTL)}
	if err := s.st.SaveLogin(r.Context(), l, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, oc.AuthCodeURL(l.State, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)), http.StatusFound)
}

// oidcCallback takes the provider's answer: the state must be one this
// dashboard issued and not yet used, the code is exchanged with the PKCE
// verifier, the ID token must verify and carry the nonce.
func (s *server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.renderLogin(w, r, http.StatusUnauthorized, "The provider refused the sign-in: "+termsafe.Shorten(e, 64))
		return
	}
	l, ok, err := s.st.TakeLogin(r.Context(), q.Get("state"), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderLogin(w, r, http.StatusBadRequest, "This sign-in is unknown, used or expired; sign in again.")
		return
	}
	p, oc, err := s.oidc.config(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := s.oidc.context(r.Context())
	tok, err := oc.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(l.Verifier))
	if err != nil {
		s.log.Warn("OIDC code exchange", "err", err)
		s.renderLogin(w, r, http.StatusUnauthorized, "The provider did not accept the sign-in; sign in again.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: s.oidc.auth.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil || !equal(idt.Nonce, l.Nonce) {
		s.log.Warn("OIDC ID token refused", "err", err)
		s.renderLogin(w, r, http.StatusUnauthorized, "The provider's ID token did not verify; sign in again.")
		return
	}
	identity := breakglass.OIDCIdentity(idt.Issuer, idt.Subject)
	if _, err := breakglass.NormalizeIdentity(identity); err != nil {
		s.renderLogin(w, r, http.StatusForbidden, err.Error())
		return
	}
	if _, err := s.resolve(r.Context(), identity); errors.Is(err, errNoPerson) {
		s.renderLogin(w, r, http.StatusForbidden, "Signed in as "+identity+", who "+errNoPerson.Error()+
			". An administrator maps it with: rootguard breakglass person add ID --identity '"+identity+"'")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, identity); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("signed in", "identity", identity)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
