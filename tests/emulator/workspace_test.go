package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var sixFractionalDigits = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func wantAPIError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got HTTP %d, want %d: %s", r.status, status, r.body)
	}
	body := r.json(t)
	if body["error_code"] != code {
		t.Fatalf("error_code = %v, want %s (body %s)", body["error_code"], code, r.body)
	}
	if msg, _ := body["message"].(string); msg == "" {
		t.Fatalf("error without a message: %s", r.body)
	}
}

// wantLifetime checks an RFC 3339 answer with six fractional digits lies
// `want` from now (allowing for test slowness).
func wantLifetime(t *testing.T, stamp string, want time.Duration) {
	t.Helper()
	if !sixFractionalDigits.MatchString(stamp) {
		t.Fatalf("timestamp %q is not RFC 3339 UTC with six fractional digits", stamp)
	}
	at, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Until(at); got > want+time.Second || got < want-5*time.Second {
		t.Fatalf("credential lives %v, want about %v", got, want)
	}
}

func TestOIDCDiscoveryPointsAtTheTokenEndpoint(t *testing.T) {
	in := fresh(t)
	r := in.call(t, "GET", "/oidc/.well-known/oauth-authorization-server", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("discovery answered %d", r.status)
	}
	body := r.json(t)
	if body["token_endpoint"] != in.env["DATABRICKS_HOST"]+"/oidc/v1/token" {
		t.Fatalf("token_endpoint = %v", body["token_endpoint"])
	}
	for _, k := range []string{"issuer", "authorization_endpoint"} {
		if s, _ := body[k].(string); !strings.HasPrefix(s, "https://") {
			t.Fatalf("%s = %v", k, body[k])
		}
	}
}

func TestOIDCTokenIssuesBearerTokensToKnownClientsOnly(t *testing.T) {
	in := fresh(t)
	id, secret := in.env["DATABRICKS_CLIENT_ID"], in.env["DATABRICKS_CLIENT_SECRET"]
	good := "grant_type=client_credentials&scope=all-apis"

	r := in.tokenRequest(t, id, secret, good)
	if r.status != http.StatusOK {
		t.Fatalf("good client got %d: %s", r.status, r.body)
	}
	body := r.json(t)
	if tok, _ := body["access_token"].(string); len(tok) < 40 {
		t.Fatalf("access_token too short: %q", tok)
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || body["scope"] != "all-apis" {
		t.Fatalf("unexpected token answer %s", r.body)
	}

	for _, bad := range [][2]string{{id, "wrong-secret"}, {"no-such-client", secret}, {"", ""}} {
		r := in.tokenRequest(t, bad[0], bad[1], good)
		if r.status != http.StatusUnauthorized || r.json(t)["error"] != "invalid_client" {
			t.Fatalf("bad client %q got %d: %s", bad[0], r.status, r.body)
		}
		if d, _ := r.json(t)["error_description"].(string); d == "" {
			t.Fatalf("invalid_client without error_description: %s", r.body)
		}
	}
	for _, form := range []string{"grant_type=password&scope=all-apis", "grant_type=client_credentials&scope=sql",
		"grant_type=client_credentials"} {
		r := in.tokenRequest(t, id, secret, form)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_request" {
			t.Fatalf("form %q got %d: %s", form, r.status, r.body)
		}
	}
	if got := in.stats(t).OIDCTokens; got != 1 {
		t.Fatalf("oidc_tokens = %d, want 1", got)
	}
}

func TestOAuthTokenStopsWorkingAfterItsLifetime(t *testing.T) {
	in := fresh(t)
	in.setKnobs(t, `{"oauth_ttl_seconds": 1}`)
	r := in.tokenRequest(t, in.env["DATABRICKS_CLIENT_ID"], in.env["DATABRICKS_CLIENT_SECRET"],
		"grant_type=client_credentials&scope=all-apis")
	body := r.json(t)
	if body["expires_in"] != float64(1) {
		t.Fatalf("expires_in = %v, want 1", body["expires_in"])
	}
	tok := body["access_token"].(string)
	if r := in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil); r.status != http.StatusOK {
		t.Fatalf("fresh token refused: %d", r.status)
	}
	time.Sleep(1100 * time.Millisecond)
	wantAPIError(t, in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil), 401, "UNAUTHENTICATED")
}

func TestWorkspaceAPIsRequireAWorkspaceToken(t *testing.T) {
	in := fresh(t)
	me := "/api/2.0/preview/scim/v2/Me"
	wantAPIError(t, in.call(t, "GET", me, "", nil), 401, "UNAUTHENTICATED")
	wantAPIError(t, in.call(t, "GET", me, "not-a-token", nil), 401, "UNAUTHENTICATED")

	req, _ := http.NewRequest("GET", in.env["EMULATOR_URL"]+me, nil)
	req.SetBasicAuth(in.env["DATABRICKS_CLIENT_ID"], in.env["DATABRICKS_CLIENT_SECRET"])
	wantAPIError(t, in.do(t, req), 401, "UNAUTHENTICATED")

	cred := in.mint(t, in.sp1Token(t))
	wantAPIError(t, in.call(t, "GET", me, cred, nil), 401, "UNAUTHENTICATED")
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", "",
		map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]}), 401, "UNAUTHENTICATED")
}

func TestUnknownPathsAnswerEndpointNotFound(t *testing.T) {
	in := fresh(t)
	tok := in.env["EMULATOR_USER_TOKEN"]
	wantAPIError(t, in.call(t, "GET", "/api/2.0/no/such/api", tok, nil), 404, "ENDPOINT_NOT_FOUND")
	wantAPIError(t, in.call(t, "GET", "/api/2.0/postgres/credentials", tok, nil), 404, "ENDPOINT_NOT_FOUND")
	wantAPIError(t, in.call(t, "GET", "/", "", nil), 404, "ENDPOINT_NOT_FOUND")
}

func TestAutoscalingCredentialHonoursTTLAndKnob(t *testing.T) {
	in := fresh(t)
	tok := in.sp1Token(t)
	endpoint := in.env["LAKEBASE_ENDPOINT"]
	mint := func(extra map[string]any) response {
		body := map[string]any{"endpoint": endpoint}
		for k, v := range extra {
			body[k] = v
		}
		return in.call(t, "POST", "/api/2.0/postgres/credentials", tok, body)
	}

	r := mint(nil)
	body := r.json(t)
	if got := keysOf(body); strings.Join(got, ",") != "expire_time,token" {
		t.Fatalf("answer fields %v, want expire_time and token", got)
	}
	cred := body["token"].(string)
	if len(cred) < 40 || strings.HasPrefix(cred, "dapi") || strings.HasPrefix(cred, "ey") {
		t.Fatalf("credential %d chars with a telltale prefix", len(cred))
	}
	wantLifetime(t, body["expire_time"].(string), time.Hour)
	wantLifetime(t, mint(map[string]any{"ttl": "900s"}).json(t)["expire_time"].(string), 900*time.Second)
	wantLifetime(t, mint(map[string]any{"ttl": "300.5s"}).json(t)["expire_time"].(string), 300*time.Second)
	at := time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)
	wantLifetime(t, mint(map[string]any{"expire_time": at}).json(t)["expire_time"].(string), 10*time.Minute)
	claims := []any{map[string]any{"permission_set": "READ_ONLY",
		"resources": []any{map[string]any{"table_name": "cat.schema.t"}}}}
	if r := mint(map[string]any{"claims": claims, "group_name": "readers"}); r.status != 200 {
		t.Fatalf("claims + group_name refused: %d %s", r.status, r.body)
	}

	// The knob caps whatever was asked.
	in.setKnobs(t, `{"ttl_seconds": 60}`)
	wantLifetime(t, mint(map[string]any{"ttl": "900s"}).json(t)["expire_time"].(string), time.Minute)
	wantLifetime(t, mint(nil).json(t)["expire_time"].(string), time.Minute)

	for _, bad := range []map[string]any{
		{"ttl": "299s"}, {"ttl": "3601s"}, {"ttl": "15m"}, {"ttl": "900"}, {"ttl": 900},
		{"ttl": "900s", "expire_time": at}, {"expire_time": "2001-01-01T00:00:00Z"}, {"expire_time": "tomorrow"},
		{"claims": "all"}, {"claims": []any{"x"}}, {"claims": []any{map[string]any{"resources": 1}}},
		{"group_name": 7}, {"endpoint": ""}, {"endpoint": 42},
	} {
		wantAPIError(t, mint(bad), 400, "INVALID_PARAMETER_VALUE")
	}
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", tok, "{"), 400, "INVALID_PARAMETER_VALUE")
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", tok, "{}"), 400, "INVALID_PARAMETER_VALUE")
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", tok, "[]"), 400, "INVALID_PARAMETER_VALUE")
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", tok,
		`{"endpoint":"`+strings.Repeat("x", 70<<10)+`"}`), 400, "INVALID_PARAMETER_VALUE")
	wantAPIError(t, mint(map[string]any{"endpoint": "projects/emulator/branches/main/endpoints/nope"}),
		404, "RESOURCE_DOES_NOT_EXIST")

	if got := in.stats(t).Mints.Autoscaling; got != 7 {
		t.Fatalf("mints.autoscaling = %d, want 7", got)
	}
}

func TestProvisionedCredentialUsesExpirationTime(t *testing.T) {
	in := fresh(t)
	tok := in.sp1Token(t)
	mint := func(body any) response { return in.call(t, "POST", "/api/2.0/database/credentials", tok, body) }
	requestID := "8c4f3a52-1b7e-4e0c-9a41-6d2f0b9c7e15"

	r := mint(map[string]any{"instance_names": []string{in.env["EMULATOR_INSTANCE"]}, "request_id": requestID})
	body := r.json(t)
	if got := keysOf(body); strings.Join(got, ",") != "expiration_time,token" {
		t.Fatalf("answer fields %v, want expiration_time and token", got)
	}
	wantLifetime(t, body["expiration_time"].(string), time.Hour)
	c := in.mustLogin(t, in.env["DATABRICKS_CLIENT_ID"], body["token"].(string))
	if u := currentUser(t, c); u != in.env["DATABRICKS_CLIENT_ID"] {
		t.Fatalf("current_user = %q", u)
	}
	c.Close()

	for _, bad := range []any{
		map[string]any{"instance_names": []string{"emulator-instance"}},
		map[string]any{"instance_names": []string{"emulator-instance"}, "request_id": "not-a-uuid"},
		map[string]any{"instance_names": []string{"emulator-instance"}, "request_id": 12},
		map[string]any{"request_id": requestID},
		map[string]any{"instance_names": []string{}, "request_id": requestID},
		map[string]any{"instance_names": "emulator-instance", "request_id": requestID},
		"{",
	} {
		wantAPIError(t, mint(bad), 400, "INVALID_PARAMETER_VALUE")
	}
	wantAPIError(t, mint(map[string]any{"instance_names": []string{"nope"}, "request_id": requestID}),
		404, "RESOURCE_DOES_NOT_EXIST")
	s := in.stats(t)
	if s.Mints.Provisioned != 1 || s.Mints.Autoscaling != 0 {
		t.Fatalf("mints = %+v, want provisioned 1", s.Mints)
	}
}

func TestHostLookupsReportTheProxyAndADecoyPooler(t *testing.T) {
	in := fresh(t)
	tok := in.sp1Token(t)
	host := in.env["EMULATOR_PROXY_HOST"]

	r := in.call(t, "GET", "/api/2.0/postgres/"+in.env["LAKEBASE_ENDPOINT"], tok, nil)
	body := r.json(t)
	status, _ := body["status"].(map[string]any)
	hosts, _ := status["hosts"].(map[string]any)
	if body["name"] != in.env["LAKEBASE_ENDPOINT"] || status["current_state"] != "ACTIVE" {
		t.Fatalf("endpoint answer %s", r.body)
	}
	if hosts["host"] != host || hosts["pooled_host"] != decoyPooledHost {
		t.Fatalf("hosts = %v, want host %s and the decoy pooled_host", hosts, host)
	}

	r = in.call(t, "GET", "/api/2.0/database/instances/"+in.env["EMULATOR_INSTANCE"], tok, nil)
	body = r.json(t)
	if body["name"] != in.env["EMULATOR_INSTANCE"] || body["state"] != "AVAILABLE" ||
		body["read_write_dns"] != host || body["read_only_dns"] != host || body["uid"] == nil {
		t.Fatalf("instance answer %s", r.body)
	}

	wantAPIError(t, in.call(t, "GET", "/api/2.0/postgres/projects/x/branches/y/endpoints/z", tok, nil),
		404, "RESOURCE_DOES_NOT_EXIST")
	wantAPIError(t, in.call(t, "GET", "/api/2.0/database/instances/nope", tok, nil), 404, "RESOURCE_DOES_NOT_EXIST")
	s := in.stats(t)
	if s.Lookups.Endpoint != 2 || s.Lookups.Instance != 2 {
		t.Fatalf("lookups = %+v, want 2 and 2", s.Lookups)
	}
}

func TestScimMeNamesTheCallersRole(t *testing.T) {
	in := fresh(t)
	for _, c := range []struct{ token, want string }{
		{in.sp1Token(t), in.env["DATABRICKS_CLIENT_ID"]},
		{in.sp2Token(t), in.env["EMULATOR_OTHER_CLIENT_ID"]},
		{in.env["EMULATOR_USER_TOKEN"], in.env["EMULATOR_USER_EMAIL"]},
	} {
		body := in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", c.token, nil).json(t)
		if body["userName"] != c.want || body["active"] != true || body["id"] == "" {
			t.Fatalf("SCIM Me = %v, want userName %s", body, c.want)
		}
	}
	if got := in.stats(t).ScimMe; got != 3 {
		t.Fatalf("scim_me = %d, want 3", got)
	}
}

func TestMintFailureQueueIsConsumedInOrderAcrossBothAPIs(t *testing.T) {
	in := fresh(t)
	tok := in.sp1Token(t)
	knobs := in.setKnobs(t, `{"mint_failures": [{"status": 429, "retry_after": 2, "count": 2},
		{"status": 503}, {"status": 502}, {"status": 500}, {"status": 504}, {"malformed": true, "count": 1}]}`)
	if q, _ := knobs["mint_failures"].([]any); len(q) != 6 {
		t.Fatalf("queue = %v", knobs["mint_failures"])
	}
	autoscaling := func() response {
		return in.call(t, "POST", "/api/2.0/postgres/credentials", tok, map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]})
	}
	provisioned := func() response {
		return in.call(t, "POST", "/api/2.0/database/credentials", tok, map[string]any{
			"instance_names": []string{in.env["EMULATOR_INSTANCE"]}, "request_id": "8c4f3a52-1b7e-4e0c-9a41-6d2f0b9c7e15"})
	}

	// An unauthenticated call is refused before it can eat a failure.
	wantAPIError(t, in.call(t, "POST", "/api/2.0/postgres/credentials", "", "{}"), 401, "UNAUTHENTICATED")

	for _, mint := range []func() response{autoscaling, provisioned} {
		r := mint()
		wantAPIError(t, r, 429, "REQUEST_LIMIT_EXCEEDED")
		if r.header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After = %q, want 2", r.header.Get("Retry-After"))
		}
		details, _ := r.json(t)["details"].([]any)
		info, _ := details[0].(map[string]any)
		if info["@type"] != "type.googleapis.com/google.rpc.RetryInfo" || info["retry_delay"] != "2s" {
			t.Fatalf("429 details = %v", details)
		}
	}
	wantAPIError(t, autoscaling(), 503, "TEMPORARILY_UNAVAILABLE")
	r := provisioned()
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<html") {
		t.Fatalf("502 answer: %d %q %.100s", r.status, r.header.Get("Content-Type"), r.body)
	}
	wantAPIError(t, autoscaling(), 500, "INTERNAL_ERROR")
	wantAPIError(t, autoscaling(), 504, "DEADLINE_EXCEEDED")
	r = autoscaling()
	var v any
	if r.status != 200 || json.Unmarshal(r.body, &v) == nil {
		t.Fatalf("malformed answer: %d %q", r.status, r.body)
	}
	if r := autoscaling(); r.status != 200 || r.json(t)["token"] == nil {
		t.Fatalf("queue should be empty, got %d %s", r.status, r.body)
	}
	s := in.stats(t)
	if s.Mints.Failed != 7 || s.Mints.Autoscaling != 1 || s.Mints.Provisioned != 0 {
		t.Fatalf("mints = %+v, want failed 7, autoscaling 1", s.Mints)
	}
	if q, _ := in.call(t, "GET", "/emulator/knobs", "", nil).json(t)["mint_failures"].([]any); len(q) != 0 {
		t.Fatalf("queue not drained: %v", q)
	}
}

func TestLatencyKnobDelaysWorkspaceAnswersOnly(t *testing.T) {
	in := fresh(t)
	tok := in.env["EMULATOR_USER_TOKEN"]
	in.setKnobs(t, `{"latency_ms": 400}`)
	start := time.Now()
	in.call(t, "GET", "/api/2.0/preview/scim/v2/Me", tok, nil)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("SCIM Me took %v with latency_ms 400", d)
	}
	start = time.Now()
	in.call(t, "GET", "/oidc/.well-known/oauth-authorization-server", "", nil)
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Fatalf("discovery took %v with latency_ms 400", d)
	}
	start = time.Now()
	in.stats(t)
	if d := time.Since(start); d >= 400*time.Millisecond {
		t.Fatalf("the control API was delayed too (%v)", d)
	}
}

func TestKnobsArePartialAndValidatedAsAWhole(t *testing.T) {
	in := fresh(t)
	in.setKnobs(t, `{"ttl_seconds": 120}`)
	k := in.setKnobs(t, `{"reject_logins": true}`)
	if k["ttl_seconds"] != float64(120) || k["reject_logins"] != true || k["oauth_ttl_seconds"] != float64(3600) ||
		k["latency_ms"] != float64(0) || k["cold_start"] != nil {
		t.Fatalf("knobs = %v", k)
	}
	for _, bad := range []string{`{"ttl_seconds": 0}`, `{"oauth_ttl_seconds": 0}`, `{"latency_ms": -1}`,
		`{"mint_failures": [{"status": 418}]}`, `{"mint_failures": [{"status": 503, "malformed": true}]}`,
		`{"cold_start": {"seconds": 1, "mode": "nap"}}`, `{"cold_start": {"mode": "refuse"}}`,
		`{"ttl_seconds": 5, "bogus": 1}`, `not json`, `{"ttl_seconds": "5"}`} {
		r := in.call(t, "POST", "/emulator/knobs", "", bad)
		if r.status != 400 {
			t.Fatalf("knobs %s accepted (%d)", bad, r.status)
		}
	}
	if k := in.call(t, "GET", "/emulator/knobs", "", nil).json(t); k["ttl_seconds"] != float64(120) {
		t.Fatalf("a refused patch changed the knobs: %v", k)
	}
}

func TestStatsListEveryCounterAndReason(t *testing.T) {
	in := fresh(t)
	body := in.call(t, "GET", "/emulator/stats", "", nil).json(t)
	want := "cancel_requests,faults,hostile,killed_backends,killed_connections,logins,lookups,mints,oidc_tokens," +
		"open_connections,scim_me"
	if got := strings.Join(keysOf(body), ","); got != want {
		t.Fatalf("stats keys %s, want %s", got, want)
	}
	mints := body["mints"].(map[string]any)
	lookups := body["lookups"].(map[string]any)
	logins := body["logins"].(map[string]any)
	refused := logins["refused"].(map[string]any)
	for name, got := range map[string][]string{
		"autoscaling,failed,provisioned":              keysOf(mints),
		"endpoint,instance":                           keysOf(lookups),
		"accepted,password_messages,refused":          keysOf(logins),
		"plaintext,tls":                               keysOf(logins["password_messages"].(map[string]any)),
		"api_outage_answers,partition_stalls":         keysOf(body["faults"].(map[string]any)),
		"connections,mint_answers,plaintext_startups": keysOf(body["hostile"].(map[string]any)),
		"cold_start,expired,rejected_by_knob,ssl_required,unknown_token,workspace_token,wrong_identity": keysOf(refused),
	} {
		if strings.Join(got, ",") != name {
			t.Fatalf("keys %v, want %s", got, name)
		}
	}
	for _, v := range refused {
		if v != float64(0) {
			t.Fatalf("refusals not zero after reset: %v", refused)
		}
	}
}

func TestIdentitiesMatchThePrintedEnvironment(t *testing.T) {
	in := fresh(t)
	body := in.call(t, "GET", "/emulator/identities", "", nil).json(t)
	sp := body["service_principal"].(map[string]any)
	other := body["other_service_principal"].(map[string]any)
	user := body["user"].(map[string]any)
	proxy := body["proxy"].(map[string]any)
	direct := body["direct"].(map[string]any)
	passwords := direct["passwords"].(map[string]any)
	checks := map[string][2]any{
		"sp client_id":     {sp["client_id"], in.env["DATABRICKS_CLIENT_ID"]},
		"sp secret":        {sp["client_secret"], in.env["DATABRICKS_CLIENT_SECRET"]},
		"sp role":          {sp["role"], in.env["DATABRICKS_CLIENT_ID"]},
		"other client_id":  {other["client_id"], in.env["EMULATOR_OTHER_CLIENT_ID"]},
		"user email":       {user["email"], in.env["EMULATOR_USER_EMAIL"]},
		"user pat":         {user["pat"], in.env["EMULATOR_USER_TOKEN"]},
		"endpoint":         {body["endpoint"], in.env["LAKEBASE_ENDPOINT"]},
		"instance":         {body["instance"], in.env["EMULATOR_INSTANCE"]},
		"proxy host":       {proxy["host"], in.env["EMULATOR_PROXY_HOST"]},
		"proxy port":       {fmt.Sprint(proxy["port"]), in.env["EMULATOR_PROXY_PORT"]},
		"direct port":      {fmt.Sprint(direct["port"]), in.env["EMULATOR_DIRECT_PORT"]},
		"direct password":  {passwords[in.env["DATABRICKS_CLIENT_ID"]], in.env["EMULATOR_DIRECT_PASSWORD"]},
		"user is the role": {user["role"], in.env["EMULATOR_USER_EMAIL"]},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: identities says %v, environment says %v", what, c[0], c[1])
		}
	}
	if len(passwords) != 3 {
		t.Errorf("want passwords for three roles, got %d", len(passwords))
	}
	if !strings.HasPrefix(in.env["EMULATOR_USER_TOKEN"], "dapi") {
		t.Errorf("the user token is not a PAT: %q", in.env["EMULATOR_USER_TOKEN"])
	}
}
