package main

import (
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// mintRaw asks for an Autoscaling credential and returns the raw answer
// (the body read as far as it goes, and the read error).
func (in *instance) mintRaw(t *testing.T, bearer string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest("POST", in.env["EMULATOR_URL"]+"/api/2.0/postgres/credentials",
		strings.NewReader(`{"endpoint": "`+in.env["LAKEBASE_ENDPOINT"]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, err := in.client.Do(req)
	if err != nil {
		t.Fatalf("mint: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func credentialOf(t *testing.T, body []byte) (string, time.Time) {
	t.Helper()
	var v map[string]string
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("answer is not a JSON object of strings: %v: %.200s", err, body)
	}
	at, err := time.Parse(time.RFC3339Nano, v["expire_time"])
	if err != nil {
		t.Fatalf("expire_time %q: %v", v["expire_time"], err)
	}
	return v["token"], at
}

func TestHostileWorkspaceAnswers(t *testing.T) {
	in := fresh(t)
	sp, other := in.env["DATABRICKS_CLIENT_ID"], in.env["EMULATOR_OTHER_CLIENT_ID"]
	tok := in.sp1Token(t)
	set := func(h string) { in.setKnobs(t, `{"hostile_workspace": `+h+`}`) }

	set(`{"answer": "slow_bytes", "byte_delay_ms": 5}`)
	start := time.Now()
	_, body, err := in.mintRaw(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Duration(len(body)*5)*time.Millisecond*8/10 {
		t.Fatalf("%d bytes in %v: not paced", len(body), d)
	}
	cred, _ := credentialOf(t, body)
	in.mustLogin(t, sp, cred).Close()

	set(`{"answer": "huge_body"}`)
	resp, body, err := in.mintRaw(t, tok)
	if err != nil || resp.ContentLength != -1 || len(body) < hugeBody {
		t.Fatalf("huge_body: %v, Content-Length %d, %d bytes", err, resp.ContentLength, len(body))
	}
	set(`{"answer": "huge_body_declared"}`)
	resp, body, err = in.mintRaw(t, tok)
	if err != nil || resp.ContentLength != int64(len(body)) || len(body) < hugeBody {
		t.Fatalf("huge_body_declared: %v, Content-Length %d, %d bytes", err, resp.ContentLength, len(body))
	}

	set(`{"answer": "html_200"}`)
	resp, body, _ = in.mintRaw(t, tok)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "<title>") {
		t.Fatalf("html_200: %d %q %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	set(`{"answer": "truncated_json"}`)
	resp, body, err = in.mintRaw(t, tok)
	var v any
	if err != nil || resp.ContentLength != int64(len(body)) || json.Unmarshal(body, &v) == nil {
		t.Fatalf("truncated_json: %v, Content-Length %d: %q", err, resp.ContentLength, body)
	}

	set(`{"answer": "close_mid_answer"}`)
	resp, body, err = in.mintRaw(t, tok)
	if err == nil || resp.ContentLength <= int64(len(body)) {
		t.Fatalf("close_mid_answer: read %d of %d bytes, error %v", len(body), resp.ContentLength, err)
	}

	set(`{"answer": "other_role"}`)
	_, body, _ = in.mintRaw(t, tok)
	cred, _ = credentialOf(t, body)
	_, err = in.login(sp, cred)
	wantRefusal(t, err, "28P01", refusedFor(sp, "wrong_identity"))
	in.mustLogin(t, other, cred).Close()

	set(`{"answer": "expire_past"}`)
	_, body, _ = in.mintRaw(t, tok)
	cred, at := credentialOf(t, body)
	if ago := time.Since(at); ago < 50*time.Minute || ago > 70*time.Minute {
		t.Fatalf("expire_past: expire_time %v is %v ago, want an hour", at, ago)
	}
	_, err = in.login(sp, cred)
	wantRefusal(t, err, "28P01", refusedFor(sp, "expired"))

	set(`{"answer": "expire_far"}`)
	_, body, _ = in.mintRaw(t, tok)
	cred, at = credentialOf(t, body)
	if ahead := time.Until(at); ahead < 49*365*24*time.Hour {
		t.Fatalf("expire_far: expire_time %v is only %v ahead", at, ahead)
	}
	in.mustLogin(t, sp, cred).Close()
	set(`{"answer": "expire_far", "expire_time": "9999-12-31T23:59:59Z"}`)
	_, body, _ = in.mintRaw(t, tok)
	if _, at = credentialOf(t, body); at.Year() != 9999 {
		t.Fatalf("expire_far with expire_time: %v", at)
	}

	s := in.stats(t)
	if s.Hostile.MintAnswers != 10 || s.Mints.Autoscaling != 0 {
		t.Fatalf("hostile mint answers %d, autoscaling %d: want 10 and 0", s.Hostile.MintAnswers, s.Mints.Autoscaling)
	}
	set(`null`)
	if k := in.call(t, "GET", "/emulator/knobs", "", nil).json(t); k["hostile_workspace"] != nil {
		t.Fatalf("hostile_workspace after null: %v", k["hostile_workspace"])
	}
	credentialOf(t, in.call(t, "POST", "/api/2.0/postgres/credentials", tok,
		map[string]any{"endpoint": in.env["LAKEBASE_ENDPOINT"]}).body)
	for _, bad := range []string{`{"hostile_workspace": {"answer": "rude"}}`,
		`{"hostile_workspace": {"answer": "html_200", "expire_time": "2030-01-01T00:00:00Z"}}`,
		`{"hostile_workspace": {"answer": "slow_bytes", "byte_delay_ms": -1}}`,
		`{"hostile_workspace": {"answer": "slow_bytes", "bogus": 1}}`,
		`{"hostile_login": "telnet"}`} {
		if r := in.call(t, "POST", "/emulator/knobs", "", bad); r.status != 400 {
			t.Fatalf("knobs %s accepted (%d)", bad, r.status)
		}
	}
}

// hostileStartup dials the proxy, asks for TLS (tlsCfg nil: plaintext),
// sends a StartupMessage and returns the connection and the server's first
// message type and payload.
func hostileStartup(t *testing.T, in *instance, tlsCfg *tls.Config) (net.Conn, byte, []byte, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", in.proxyAddr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var conn net.Conn = c
	if tlsCfg != nil {
		if _, err := c.Write(startupPacket(sslRequestCode, nil)); err != nil {
			t.Fatal(err)
		}
		var answer [1]byte
		if _, err := io.ReadFull(c, answer[:]); err != nil || answer[0] != 'S' {
			return c, 0, nil, errors.New("the server refused TLS")
		}
		tc := tls.Client(c, tlsCfg)
		if err := tc.Handshake(); err != nil {
			return c, 0, nil, err
		}
		conn = tc
	}
	body := startupParams("user", in.env["DATABRICKS_CLIENT_ID"], "database", databaseName)
	if _, err := conn.Write(startupPacket(protocolV3, body)); err != nil {
		t.Fatal(err)
	}
	typ, payload, err := readMessage(conn, maxClientMessage)
	return conn, typ, payload, err
}

// answerWithPassword sends a password message and expects a FATAL 28P01.
func answerWithPassword(t *testing.T, conn net.Conn) {
	t.Helper()
	if _, err := conn.Write(message('p', []byte("not-a-secret\x00"))); err != nil {
		t.Fatal(err)
	}
	typ, payload, err := readMessage(conn, maxClientMessage)
	if err != nil || typ != 'E' || parsePgError(payload).Code != "28P01" {
		t.Fatalf("after the password: %v %q %v", err, typ, parsePgError(payload))
	}
}

func authMethod(t *testing.T, typ byte, payload []byte) uint32 {
	t.Helper()
	if typ != 'R' || len(payload) < 4 {
		t.Fatalf("want an authentication request, got %q %x", typ, payload)
	}
	return binary.BigEndian.Uint32(payload)
}

func TestHostileLoginModes(t *testing.T) {
	in := fresh(t)
	set := func(mode string) { in.setKnobs(t, `{"hostile_login": "`+mode+`"}`) }
	passwords := func() (int64, int64) {
		s := in.stats(t)
		return s.Logins.PasswordMessages.TLS, s.Logins.PasswordMessages.Plaintext
	}

	set("garbage_ssl_answer")
	c, err := net.DialTimeout("tcp", in.proxyAddr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write(startupPacket(sslRequestCode, nil))
	var answer [1]byte
	if _, err := io.ReadFull(c, answer[:]); err != nil || answer[0] == 'S' || answer[0] == 'N' {
		t.Fatalf("garbage_ssl_answer answered %q (%v)", answer[0], err)
	}
	c.Close()

	set("no_tls")
	if _, _, _, err := hostileStartup(t, in, in.proxyTLS()); err == nil {
		t.Fatal("no_tls: TLS was accepted")
	}
	conn, typ, payload, err := hostileStartup(t, in, nil)
	if err != nil || authMethod(t, typ, payload) != 3 {
		t.Fatalf("no_tls plaintext startup: %v", err)
	}
	answerWithPassword(t, conn)
	conn.Close()
	if tlsN, plain := passwords(); tlsN != 0 || plain != 1 {
		t.Fatalf("password messages tls %d plaintext %d, want 0 and 1", tlsN, plain)
	}
	if s := in.stats(t); s.Hostile.PlaintextStartups != 1 {
		t.Fatalf("plaintext startups %d, want 1", s.Hostile.PlaintextStartups)
	}

	set("untrusted_cert")
	if _, _, _, err := hostileStartup(t, in, in.proxyTLS()); err == nil ||
		!strings.Contains(err.Error(), "unknown authority") {
		t.Fatalf("untrusted_cert verified: %v", err)
	}
	conn, typ, payload, err = hostileStartup(t, in, &tls.Config{InsecureSkipVerify: true})
	if err != nil || authMethod(t, typ, payload) != 3 {
		t.Fatalf("untrusted_cert without verification: %v", err)
	}
	answerWithPassword(t, conn)
	conn.Close()

	set("garbage")
	if _, typ, _, err := hostileStartup(t, in, in.proxyTLS()); err == nil && strings.ContainsRune("REZSK", rune(typ)) {
		t.Fatalf("garbage answered a protocol message %q", typ)
	}

	for mode, want := range map[string]uint32{"md5": 5, "scram": 10} {
		set(mode)
		conn, typ, payload, err := hostileStartup(t, in, in.proxyTLS())
		if err != nil || authMethod(t, typ, payload) != want {
			t.Fatalf("%s: %v", mode, err)
		}
		if mode == "scram" && !strings.Contains(string(payload[4:]), "SCRAM-SHA-256") {
			t.Fatalf("scram offers %q", payload[4:])
		}
		answerWithPassword(t, conn)
		conn.Close()
	}
	if tlsN, plain := passwords(); tlsN != 3 || plain != 1 {
		t.Fatalf("password messages tls %d plaintext %d, want 3 and 1", tlsN, plain)
	}
	if s := in.stats(t); s.Hostile.Connections != 8 || s.Logins.Accepted != 0 {
		t.Fatalf("hostile connections %d accepted %d, want 8 and 0", s.Hostile.Connections, s.Logins.Accepted)
	}

	// Off again: an ordinary login works and its password is counted.
	set("")
	in.mustLogin(t, in.env["DATABRICKS_CLIENT_ID"], in.mint(t, in.sp1Token(t))).Close()
	if tlsN, _ := passwords(); tlsN != 4 {
		t.Fatalf("password messages tls %d after an ordinary login, want 4", tlsN)
	}
}
