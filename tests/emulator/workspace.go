package main

// The fake Databricks workspace: OIDC discovery and client-credentials
// tokens, both credential APIs, the host lookups and SCIM Me, with the
// injected latency and failures the knobs ask for.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	maxRequestBody  = 64 << 10
	endpointName    = "projects/emulator/branches/main/endpoints/primary"
	instanceName    = "emulator-instance"
	decoyPooledHost = "pooler.invalid"
	defaultTokenTTL = 3600 * time.Second
	minAPITTL       = 300 * time.Second
	maxAPITTL       = 3600 * time.Second
	// Six fractional digits, like the real service.
	apiTimeLayout = "2006-01-02T15:04:05.000000Z"
)

var (
	ttlPattern  = regexp.MustCompile(`^\d+(\.\d+)?s$`)
	uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

type workspace struct {
	st      *state
	proxy   *proxy
	api     *apiServer
	baseURL string
	control http.Handler
}

// bufferBody reads the whole (bounded) request body before any answer: a
// handler that answers an HTTP/2 request early leaves the stream half-read,
// the server resets it, and the client sees a transport error instead of
// the answer. Returns false after answering 400 itself.
func bufferBody(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
			fmt.Sprintf("the request body is larger than %d bytes or unreadable", maxRequestBody))
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return true
}

func (ws *workspace) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/emulator/") {
		ws.control.ServeHTTP(w, r)
		return
	}
	if !bufferBody(w, r) {
		return
	}
	ws.stampDate(w)
	if o := ws.api.current(); o != nil && o.Mode == "status" {
		ws.st.count(func(n *counters) { n.apiOutageAnswers++ })
		writeFailure(w, o.Status, o.RetryAfter)
		return
	}
	if ms := ws.st.currentKnobs().LatencyMS; ms > 0 {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	path := r.URL.Path
	switch {
	case path == "/oidc/.well-known/oauth-authorization-server" && r.Method == http.MethodGet:
		ws.discovery(w)
	case path == "/oidc/v1/token" && r.Method == http.MethodPost:
		ws.oauthToken(w, r)
	case path == "/api/2.0/postgres/credentials" && r.Method == http.MethodPost:
		ws.authenticated(w, r, ws.mintAutoscaling)
	case path == "/api/2.0/database/credentials" && r.Method == http.MethodPost:
		ws.authenticated(w, r, ws.mintProvisioned)
	case strings.HasPrefix(path, "/api/2.0/postgres/projects/") && r.Method == http.MethodGet:
		ws.authenticated(w, r, ws.lookupEndpoint)
	case strings.HasPrefix(path, "/api/2.0/database/instances/") && r.Method == http.MethodGet:
		ws.authenticated(w, r, ws.lookupInstance)
	case path == "/api/2.0/preview/scim/v2/Me" && r.Method == http.MethodGet:
		ws.authenticated(w, r, ws.scimMe)
	default:
		apiError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND",
			fmt.Sprintf("No API found for '%s %s'", r.Method, path))
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error_code": code, "message": msg})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (ws *workspace) discovery(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                ws.baseURL + "/oidc",
		"authorization_endpoint":                ws.baseURL + "/oidc/v1/authorize",
		"token_endpoint":                        ws.baseURL + "/oidc/v1/token",
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"all-apis"},
	})
}

func (ws *workspace) oauthToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a valid form.")
		return
	}
	clientID, secret, ok := r.BasicAuth()
	if !ok {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	id := ws.st.servicePrincipal(clientID, secret)
	if id == nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "invalid_request",
			fmt.Sprintf("Unsupported grant_type %q: only client_credentials is supported.", gt))
		return
	}
	if !containsWord(r.PostForm.Get("scope"), "all-apis") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The scope must include all-apis.")
		return
	}
	ttl := ws.st.currentKnobs().OAuthTTLSeconds
	tok, err := ws.st.issue(workspaceToken, id, time.Now().Add(time.Duration(ttl)*time.Second))
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	ws.st.count(func(n *counters) { n.oidcTokens++ })
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": ttl, "scope": "all-apis",
	})
}

func containsWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if w == word {
			return true
		}
	}
	return false
}

// authenticated resolves the bearer token before calling next.
func (ws *workspace) authenticated(w http.ResponseWriter, r *http.Request,
	next func(http.ResponseWriter, *http.Request, *identity)) {
	auth := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(auth, " ")
	if auth == "" {
		apiError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "No authorization header: send Authorization: Bearer <token>.")
		return
	}
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		apiError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Only Bearer authorization is supported.")
		return
	}
	id, why := ws.st.workspaceIdentity(strings.TrimSpace(tok))
	if id == nil {
		apiError(w, http.StatusUnauthorized, "UNAUTHENTICATED", why)
		return
	}
	next(w, r, id)
}

// injectedFailure answers with the next queued failure, if any.
func (ws *workspace) injectedFailure(w http.ResponseWriter) bool {
	f, ok := ws.st.takeMintFailure()
	if !ok {
		return false
	}
	log.Printf("workspace: injecting a mint failure (status %d, malformed %v)", f.Status, f.Malformed)
	if f.Malformed {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"token": "`)
		return true
	}
	writeFailure(w, f.Status, f.RetryAfter)
	return true
}

// writeFailure answers like the service does when it throttles or fails:
// 429 with Retry-After and a RetryInfo detail, a 502 HTML gateway page, or
// a JSON error for 500, 503 and 504.
func writeFailure(w http.ResponseWriter, status, retryAfter int) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	switch status {
	case http.StatusTooManyRequests:
		body := map[string]any{"error_code": "REQUEST_LIMIT_EXCEEDED",
			"message": "Too many requests: the credential API rate limit was exceeded. Retry later."}
		if retryAfter > 0 {
			body["details"] = []map[string]string{{
				"@type":       "type.googleapis.com/google.rpc.RetryInfo",
				"retry_delay": fmt.Sprintf("%ds", retryAfter),
			}}
		}
		writeJSON(w, status, body)
	case http.StatusBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"+
			"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
	case http.StatusServiceUnavailable:
		apiError(w, status, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Retry later.")
	case http.StatusGatewayTimeout:
		apiError(w, status, "DEADLINE_EXCEEDED", "The request timed out upstream.")
	default:
		apiError(w, status, "INTERNAL_ERROR", "Internal error while minting the credential.")
	}
}

// decodeBody reads a JSON object into a map of raw fields.
func decodeBody(r *http.Request) (map[string]json.RawMessage, error) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("the request body is larger than %d bytes", maxRequestBody)
		}
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return nil, errors.New("the request body is not a JSON object")
	}
	return fields, nil
}

// optionalString reads a string field; ok is false when present but not a
// string.
func optionalString(fields map[string]json.RawMessage, name string) (string, bool, bool) {
	raw, present := fields[name]
	if !present || string(raw) == "null" {
		return "", false, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, false
	}
	return s, true, true
}

// validClaims checks the claims shape loosely: an array of objects whose
// permission_set is a string and resources an array of objects.
func validClaims(raw json.RawMessage) bool {
	if raw == nil || string(raw) == "null" {
		return true
	}
	var claims []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &claims); err != nil {
		return false
	}
	for _, c := range claims {
		if c == nil {
			return false
		}
		if ps, ok := c["permission_set"]; ok {
			var s string
			if json.Unmarshal(ps, &s) != nil {
				return false
			}
		}
		if res, ok := c["resources"]; ok {
			var objs []map[string]json.RawMessage
			if json.Unmarshal(res, &objs) != nil {
				return false
			}
		}
	}
	return true
}

// credentialLifetime applies the ttl knob: the effective lifetime is the
// smaller of what was asked (default one hour) and ttl_seconds.
func (ws *workspace) credentialLifetime(asked time.Duration) time.Duration {
	knob := time.Duration(ws.st.currentKnobs().TTLSeconds) * time.Second
	if knob < asked {
		return knob
	}
	return asked
}

// issueCredential stores a database credential with an expiry that has
// exactly the precision the answer shows.
func (ws *workspace) issueCredential(id *identity, lifetime time.Duration) (string, time.Time, error) {
	expires := time.Now().Add(lifetime).UTC().Truncate(time.Microsecond)
	tok, err := ws.st.issue(databaseCredential, id, expires)
	return tok, expires, err
}

func (ws *workspace) mintAutoscaling(w http.ResponseWriter, r *http.Request, id *identity) {
	if ws.injectedFailure(w) {
		return
	}
	fields, err := decodeBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", err.Error())
		return
	}
	endpoint, present, ok := optionalString(fields, "endpoint")
	if !ok || !present || endpoint == "" {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'endpoint' is required.")
		return
	}
	ttlText, hasTTL, ok := optionalString(fields, "ttl")
	if !ok {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'ttl' must be a duration string like \"900s\".")
		return
	}
	expireText, hasExpire, ok := optionalString(fields, "expire_time")
	if !ok {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'expire_time' must be an RFC 3339 timestamp.")
		return
	}
	if _, _, ok := optionalString(fields, "group_name"); !ok {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'group_name' must be a string.")
		return
	}
	if !validClaims(fields["claims"]) {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
			"Field 'claims' must be an array of {\"permission_set\", \"resources\": [...]} objects.")
		return
	}
	asked := defaultTokenTTL
	switch {
	case hasTTL && hasExpire:
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Give either 'ttl' or 'expire_time', not both.")
		return
	case hasTTL:
		if asked, ok = parseAPITTL(ttlText); !ok {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
				fmt.Sprintf("Field 'ttl' must be a duration between %ds and %ds, like \"900s\".",
					int(minAPITTL.Seconds()), int(maxAPITTL.Seconds())))
			return
		}
	case hasExpire:
		at, err := time.Parse(time.RFC3339Nano, expireText)
		if err != nil || !at.After(time.Now()) {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
				"Field 'expire_time' must be a future RFC 3339 timestamp.")
			return
		}
		if asked = time.Until(at); asked > maxAPITTL {
			asked = maxAPITTL
		}
	}
	if !ws.checkMintRequest(w, id, "autoscaling", endpoint, fields) {
		return
	}
	if endpoint != endpointName {
		apiError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Endpoint '%s' does not exist.", endpoint))
		return
	}
	ws.answerCredential(w, r, id, ws.credentialLifetime(asked), "expire_time")
}

// answerCredential issues a credential and answers with it, or answers the
// way the hostile_workspace knob asks. field names the expiry ("expire_time"
// or "expiration_time").
func (ws *workspace) answerCredential(w http.ResponseWriter, r *http.Request, id *identity,
	lifetime time.Duration, field string) {
	if h := ws.st.currentKnobs().HostileWorkspace; h != nil {
		ws.hostileCredential(w, r, id, lifetime, field, *h)
		return
	}
	tok, expires, err := ws.issueCredential(id, lifetime)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", err.Error())
		return
	}
	product := "Autoscaling"
	if field == "expiration_time" {
		product = "Provisioned"
	}
	ws.st.count(func(n *counters) {
		if field == "expiration_time" {
			n.mintsProvisioned++
		} else {
			n.mintsAutoscaling++
		}
	})
	log.Printf("workspace: minted a %s credential for %q (lifetime %v)", product, id.Role, lifetime)
	writeJSON(w, http.StatusOK, map[string]string{"token": tok, field: expires.Format(apiTimeLayout)})
}

func parseAPITTL(s string) (time.Duration, bool) {
	if !ttlPattern.MatchString(s) {
		return 0, false
	}
	secs, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || math.IsInf(secs, 0) {
		return 0, false
	}
	d := time.Duration(secs * float64(time.Second))
	if d < minAPITTL || d > maxAPITTL {
		return 0, false
	}
	return d, true
}

func (ws *workspace) mintProvisioned(w http.ResponseWriter, r *http.Request, id *identity) {
	if ws.injectedFailure(w) {
		return
	}
	fields, err := decodeBody(r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", err.Error())
		return
	}
	var names []string
	if raw, ok := fields["instance_names"]; !ok || json.Unmarshal(raw, &names) != nil || len(names) == 0 {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'instance_names' must be a non-empty array of names.")
		return
	}
	requestID, present, ok := optionalString(fields, "request_id")
	if !ok || !present || !uuidPattern.MatchString(requestID) {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Field 'request_id' must be a UUID.")
		return
	}
	if !validClaims(fields["claims"]) {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE",
			"Field 'claims' must be an array of {\"permission_set\", \"resources\": [...]} objects.")
		return
	}
	if !ws.checkMintRequest(w, id, "provisioned", strings.Join(names, ","), fields) {
		return
	}
	for _, n := range names {
		if n != instanceName {
			apiError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Database instance '%s' does not exist.", n))
			return
		}
	}
	ws.answerCredential(w, r, id, ws.credentialLifetime(defaultTokenTTL), "expiration_time")
}

func (ws *workspace) lookupEndpoint(w http.ResponseWriter, r *http.Request, _ *identity) {
	ws.st.count(func(n *counters) { n.lookupsEndpoint++ })
	name := strings.TrimPrefix(r.URL.Path, "/api/2.0/postgres/")
	if name != endpointName {
		apiError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Endpoint '%s' does not exist.", name))
		return
	}
	state := "ACTIVE"
	if ws.proxy.coldState() != nil {
		state = "INIT"
	}
	host, _ := ws.proxy.hostPort()
	writeJSON(w, http.StatusOK, map[string]any{
		"name":   endpointName,
		"uid":    "ep-emulator-primary",
		"parent": "projects/emulator/branches/main",
		"status": map[string]any{
			"current_state": state,
			"endpoint_type": "ENDPOINT_TYPE_READ_WRITE",
			"hosts":         map[string]string{"host": host, "pooled_host": decoyPooledHost},
		},
	})
}

func (ws *workspace) lookupInstance(w http.ResponseWriter, r *http.Request, _ *identity) {
	ws.st.count(func(n *counters) { n.lookupsInstance++ })
	name := strings.TrimPrefix(r.URL.Path, "/api/2.0/database/instances/")
	if name != instanceName {
		apiError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Database instance '%s' does not exist.", name))
		return
	}
	state := "AVAILABLE"
	if ws.proxy.coldState() != nil {
		state = "STARTING"
	}
	host, _ := ws.proxy.hostPort()
	writeJSON(w, http.StatusOK, map[string]any{
		"name": instanceName, "uid": "emulator-instance-uid", "state": state,
		"read_write_dns": host, "read_only_dns": host, "pg_version": "PG_VERSION_15",
	})
}

func (ws *workspace) scimMe(w http.ResponseWriter, _ *http.Request, id *identity) {
	ws.st.count(func(n *counters) { n.scimMe++ })
	writeJSON(w, http.StatusOK, map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":          id.ScimID,
		"userName":    id.Role,
		"displayName": id.Role,
		"active":      true,
	})
}
