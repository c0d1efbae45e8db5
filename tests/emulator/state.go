package main

// The emulator's shared state: identities, issued tokens, knobs and
// counters, behind one mutex (traffic is test traffic; contention is nil).

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// identity is one workspace principal and the Postgres role it logs in as.
type identity struct {
	Kind         string // "service_principal" or "user"
	Role         string
	ClientID     string
	ClientSecret string
	Email        string
	PAT          string
	ScimID       string
	DBPassword   string // for the direct TCP listener only
}

type tokenKind int

const (
	workspaceToken tokenKind = iota // OAuth access token or PAT
	databaseCredential
)

type issuedToken struct {
	kind    tokenKind
	owner   *identity
	expires time.Time // zero: never (PATs)
}

// Refusal reasons, in the order stats lists them.
const (
	reasonExpired        = "expired"
	reasonWorkspaceToken = "workspace_token"
	reasonWrongIdentity  = "wrong_identity"
	reasonUnknownToken   = "unknown_token"
	reasonRejectedByKnob = "rejected_by_knob"
	reasonSSLRequired    = "ssl_required"
	reasonColdStart      = "cold_start"
)

var refusalReasons = []string{reasonExpired, reasonWorkspaceToken, reasonWrongIdentity,
	reasonUnknownToken, reasonRejectedByKnob, reasonSSLRequired, reasonColdStart}

// mintFailure is one entry of the injected failure queue.
type mintFailure struct {
	Status     int  `json:"status,omitempty"`
	RetryAfter int  `json:"retry_after,omitempty"`
	Malformed  bool `json:"malformed,omitempty"`
	Count      int  `json:"count"`
}

type knobs struct {
	TTLSeconds       int               `json:"ttl_seconds"`
	OAuthTTLSeconds  int               `json:"oauth_ttl_seconds"`
	LatencyMS        int               `json:"latency_ms"`
	MintFailures     []mintFailure     `json:"mint_failures"`
	RejectLogins     bool              `json:"reject_logins"`
	HostileWorkspace *hostileWorkspace `json:"hostile_workspace"`
	HostileLogin     string            `json:"hostile_login"`
	// ClockSkewSeconds shifts the clock the workspace shows in its Date
	// header (a client whose clock is off by -N sees a skew of N).
	ClockSkewSeconds int `json:"clock_skew_seconds"`
}

type counters struct {
	mintsAutoscaling, mintsProvisioned, mintsFailed int64
	oidcTokens, scimMe                              int64
	lookupsEndpoint, lookupsInstance                int64
	loginsAccepted                                  int64
	refused                                         map[string]int64
	cancelRequests, killedConnections               int64
	killedBackends                                  int64
	apiOutageAnswers, partitionStalls               int64
	hostileMintAnswers, hostileConnections          int64
	plaintextStartups                               int64
	passwordMessagesTLS, passwordMessagesPlaintext  int64
}

// Expired tokens are kept so a late login can be told "expired"; past this
// many entries the long-dead ones are dropped.
const maxRememberedTokens = 100000

type state struct {
	mu      sync.Mutex
	sp1     *identity
	sp2     *identity
	user    *identity
	tokens  map[string]*issuedToken
	knobs   knobs
	initial knobs
	n       counters
	mintLog mintLog // mint_requests.go
}

func newState(initial knobs) (*state, error) {
	s := &state{tokens: make(map[string]*issuedToken), knobs: initial, initial: initial}
	s.n.refused = make(map[string]int64)
	var err error
	if s.sp1, err = newServicePrincipal(1); err != nil {
		return nil, err
	}
	if s.sp2, err = newServicePrincipal(2); err != nil {
		return nil, err
	}
	pat, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	pw, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	email := "emulator-user@example.com"
	s.user = &identity{Kind: "user", Role: email, Email: email, PAT: "dapi" + pat,
		ScimID: "1000000000000003", DBPassword: pw}
	s.tokens[s.user.PAT] = &issuedToken{kind: workspaceToken, owner: s.user}
	return s, nil
}

func newServicePrincipal(n int) (*identity, error) {
	id, err := uuidV4()
	if err != nil {
		return nil, err
	}
	secret, err := randomHex(32)
	if err != nil {
		return nil, err
	}
	pw, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	return &identity{Kind: "service_principal", Role: id, ClientID: id,
		ClientSecret: "dose" + secret, ScimID: fmt.Sprintf("100000000000000%d", n), DBPassword: pw}, nil
}

func (s *state) identities() []*identity { return []*identity{s.sp1, s.sp2, s.user} }

// servicePrincipal returns the principal with these client credentials.
func (s *state) servicePrincipal(clientID, secret string) *identity {
	for _, id := range []*identity{s.sp1, s.sp2} {
		if id.ClientID == clientID && id.ClientSecret == secret {
			return id
		}
	}
	return nil
}

// issue stores a fresh random token; tokens of both kinds look alike so a
// client cannot tell them apart by shape.
func (s *state) issue(kind tokenKind, owner *identity, expires time.Time) (string, error) {
	tok, err := randomToken()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= maxRememberedTokens {
		cutoff := time.Now().Add(-10 * time.Minute)
		for k, t := range s.tokens {
			if !t.expires.IsZero() && t.expires.Before(cutoff) {
				delete(s.tokens, k)
			}
		}
	}
	s.tokens[tok] = &issuedToken{kind: kind, owner: owner, expires: expires}
	return tok, nil
}

// workspaceIdentity resolves a bearer token; "" reason means valid.
func (s *state) workspaceIdentity(tok string) (*identity, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[tok]
	switch {
	case t == nil || t.kind != workspaceToken:
		return nil, "Invalid access token."
	case !t.expires.IsZero() && !time.Now().Before(t.expires):
		return nil, "Token expired."
	}
	return t.owner, ""
}

// loginVerdict decides a proxy login; "" means accept. The role on the
// credential is checked before its expiry so a mix-up is named as such.
func (s *state) loginVerdict(role, password string) (reason, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.knobs.RejectLogins {
		return reasonRejectedByKnob, "Logins are being refused on purpose (emulator knob reject_logins)."
	}
	t := s.tokens[password]
	switch {
	case t == nil:
		return reasonUnknownToken, "The password is not a database credential issued by this workspace."
	case t.kind == workspaceToken:
		return reasonWorkspaceToken, "The password is a workspace OAuth access token or personal access token, " +
			"not a database credential; mint one with POST /api/2.0/postgres/credentials " +
			"(or /api/2.0/database/credentials) and use that."
	case t.owner.Role != role:
		return reasonWrongIdentity, fmt.Sprintf("The database credential was minted for role %q, not for %q; "+
			"the login role must be the identity that minted the credential.", t.owner.Role, role)
	case !time.Now().Before(t.expires):
		return reasonExpired, "The database credential expired at " +
			t.expires.UTC().Format(time.RFC3339) + "; mint a fresh one."
	}
	return "", ""
}

// takeMintFailure pops the next injected failure, if any.
func (s *state) takeMintFailure() (mintFailure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.knobs.MintFailures) == 0 {
		return mintFailure{}, false
	}
	head := &s.knobs.MintFailures[0]
	f := *head
	head.Count--
	if head.Count <= 0 {
		s.knobs.MintFailures = append([]mintFailure(nil), s.knobs.MintFailures[1:]...)
	}
	s.n.mintsFailed++
	return f, true
}

func (s *state) currentKnobs() knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.knobs
	k.MintFailures = append([]mintFailure{}, s.knobs.MintFailures...)
	if h := s.knobs.HostileWorkspace; h != nil {
		c := *h
		k.HostileWorkspace = &c
	}
	return k
}

// otherIdentity is a principal other than id, for answers that hand out
// somebody else's credential.
func (s *state) otherIdentity(id *identity) *identity {
	if id == s.sp1 {
		return s.sp2
	}
	return s.sp1
}

// count runs f with the lock held, for counter updates.
func (s *state) count(f func(n *counters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.n)
}

// reset restores the startup knobs and zeroes the counters.
func (s *state) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs = s.initial
	s.knobs.MintFailures = nil
	s.n = counters{refused: make(map[string]int64)}
	s.mintLog.clear()
}

type statsView struct {
	Mints struct {
		Autoscaling int64 `json:"autoscaling"`
		Provisioned int64 `json:"provisioned"`
		Failed      int64 `json:"failed"`
	} `json:"mints"`
	OIDCTokens int64 `json:"oidc_tokens"`
	ScimMe     int64 `json:"scim_me"`
	Lookups    struct {
		Endpoint int64 `json:"endpoint"`
		Instance int64 `json:"instance"`
	} `json:"lookups"`
	Logins struct {
		Accepted         int64            `json:"accepted"`
		Refused          map[string]int64 `json:"refused"`
		PasswordMessages struct {
			TLS       int64 `json:"tls"`
			Plaintext int64 `json:"plaintext"`
		} `json:"password_messages"`
	} `json:"logins"`
	OpenConnections   int64 `json:"open_connections"`
	CancelRequests    int64 `json:"cancel_requests"`
	KilledConnections int64 `json:"killed_connections"`
	KilledBackends    int64 `json:"killed_backends"`
	Faults            struct {
		APIOutageAnswers int64 `json:"api_outage_answers"`
		PartitionStalls  int64 `json:"partition_stalls"`
	} `json:"faults"`
	Hostile struct {
		MintAnswers       int64 `json:"mint_answers"`
		Connections       int64 `json:"connections"`
		PlaintextStartups int64 `json:"plaintext_startups"`
	} `json:"hostile"`
}

func (s *state) stats(open int64) statsView {
	s.mu.Lock()
	defer s.mu.Unlock()
	var v statsView
	v.Mints.Autoscaling = s.n.mintsAutoscaling
	v.Mints.Provisioned = s.n.mintsProvisioned
	v.Mints.Failed = s.n.mintsFailed
	v.OIDCTokens = s.n.oidcTokens
	v.ScimMe = s.n.scimMe
	v.Lookups.Endpoint = s.n.lookupsEndpoint
	v.Lookups.Instance = s.n.lookupsInstance
	v.Logins.Accepted = s.n.loginsAccepted
	v.Logins.Refused = make(map[string]int64, len(refusalReasons))
	for _, r := range refusalReasons {
		v.Logins.Refused[r] = s.n.refused[r]
	}
	v.Logins.PasswordMessages.TLS = s.n.passwordMessagesTLS
	v.Logins.PasswordMessages.Plaintext = s.n.passwordMessagesPlaintext
	v.OpenConnections = open
	v.CancelRequests = s.n.cancelRequests
	v.KilledConnections = s.n.killedConnections
	v.KilledBackends = s.n.killedBackends
	v.Faults.APIOutageAnswers = s.n.apiOutageAnswers
	v.Faults.PartitionStalls = s.n.partitionStalls
	v.Hostile.MintAnswers = s.n.hostileMintAnswers
	v.Hostile.Connections = s.n.hostileConnections
	v.Hostile.PlaintextStartups = s.n.plaintextStartups
	return v
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := rand.Read(b)
	return b, err
}

func randomHex(n int) (string, error) {
	b, err := randomBytes(n)
	return hex.EncodeToString(b), err
}

// randomToken is 48 random bytes, base64url: opaque, same shape for
// workspace tokens and database credentials.
func randomToken() (string, error) {
	b, err := randomBytes(48)
	return base64.RawURLEncoding.EncodeToString(b), err
}

func uuidV4() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], nil
}
