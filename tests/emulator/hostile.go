package main

// Hostile servers, for testing that clients fail clearly and safely: a
// workspace whose credential answers misbehave (knob hostile_workspace) and
// a login proxy that does not speak the protocol Lakebase speaks (knob
// hostile_login). Both stay on until changed or reset.

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hostileWorkspace is the hostile_workspace knob.
type hostileWorkspace struct {
	// Answer is one of hostileAnswers.
	Answer string `json:"answer"`
	// ByteDelayMS paces "slow_bytes" (default 100).
	ByteDelayMS int `json:"byte_delay_ms,omitempty"`
	// ExpireTime is what "expire_far" reports (default 50 years ahead).
	ExpireTime string `json:"expire_time,omitempty"`
}

// What a hostile workspace can answer to a credential request.
var hostileAnswers = map[string]string{
	"slow_bytes":         "a valid answer, one byte every byte_delay_ms",
	"huge_body":          "200 with a 10 MiB body, streamed without a length",
	"huge_body_declared": "200 with a 10 MiB body and its Content-Length",
	"html_200":           "200 with a text/html sign-in page",
	"truncated_json":     "200 with the first half of the JSON (and a matching Content-Length)",
	"close_mid_answer":   "the first half of the answer, then the TCP connection closes",
	"other_role":         "a valid credential minted for another identity",
	"expire_past":        "a credential that expired an hour ago, saying so",
	"expire_far":         "a valid credential whose expire_time is expire_time (default 50 years ahead)",
}

// What a hostile login proxy can do.
var hostileLogins = map[string]string{
	"garbage_ssl_answer": "answers the SSLRequest with bytes that are neither S nor N",
	"no_tls":             "refuses TLS ('N'), then asks for a cleartext password",
	"untrusted_cert":     "speaks TLS with a certificate from a CA nobody trusts",
	"garbage":            "after TLS and the startup message, sends bytes that are not the protocol",
	"md5":                "after TLS, asks for MD5 password authentication",
	"scram":              "after TLS, asks for SCRAM-SHA-256 (SASL) authentication",
}

// hugeBody is what the huge answers send.
const hugeBody = 10 << 20

func validateHostileWorkspace(h *hostileWorkspace) error {
	if _, ok := hostileAnswers[h.Answer]; !ok {
		return fmt.Errorf("hostile_workspace.answer must be one of %s", names(hostileAnswers))
	}
	if h.ByteDelayMS < 0 || h.ByteDelayMS > 10000 {
		return fmt.Errorf("hostile_workspace.byte_delay_ms must be between 0 and 10000")
	}
	if h.ByteDelayMS == 0 {
		h.ByteDelayMS = 100
	}
	if h.ExpireTime != "" && h.Answer != "expire_far" {
		return fmt.Errorf("hostile_workspace.expire_time goes with answer expire_far only")
	}
	return nil
}

func validateHostileLogin(mode string) error {
	if _, ok := hostileLogins[mode]; !ok && mode != "" {
		return fmt.Errorf(`hostile_login must be "" or one of %s`, names(hostileLogins))
	}
	return nil
}

func names(m map[string]string) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// hostileCredential answers a credential request the way h says.
func (ws *workspace) hostileCredential(w http.ResponseWriter, r *http.Request, id *identity,
	lifetime time.Duration, field string, h hostileWorkspace) {
	owner := id
	switch h.Answer {
	case "other_role":
		owner = ws.st.otherIdentity(id)
	case "expire_past":
		lifetime = -time.Hour
	}
	tok, expires, err := ws.issueCredential(owner, lifetime)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", err.Error())
		return
	}
	stamp := expires.Format(apiTimeLayout)
	if h.Answer == "expire_far" {
		stamp = h.ExpireTime
		if stamp == "" {
			stamp = time.Now().AddDate(50, 0, 0).UTC().Format(apiTimeLayout)
		}
	}
	body, err := json.Marshal(map[string]string{"token": tok, field: stamp})
	if err != nil {
		apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", err.Error())
		return
	}
	ws.st.count(func(n *counters) { n.hostileMintAnswers++ })
	log.Printf("workspace: hostile credential answer %q for %q", h.Answer, id.Role)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	switch h.Answer {
	case "slow_bytes":
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		for i := range body {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Duration(h.ByteDelayMS) * time.Millisecond):
			}
			if _, err := w.Write(body[i : i+1]); err != nil {
				return
			}
			flush()
		}
	case "huge_body", "huge_body_declared":
		head := `{"token": "`
		tail := fmt.Sprintf(`", %q: %q}`, field, stamp)
		if h.Answer == "huge_body_declared" {
			hdr.Set("Content-Length", strconv.Itoa(len(head)+hugeBody+len(tail)))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, head)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for sent := 0; sent < hugeBody; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, tail)
	case "html_200":
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head>\n"+
			"<body><form action=\"/login\"><input name=\"user\"></form></body></html>\n")
	case "truncated_json":
		half := body[:len(body)/2]
		hdr.Set("Content-Length", strconv.Itoa(len(half)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(half)
	case "close_mid_answer":
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		flush()
		if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
			c.Close()
		}
	default: // other_role, expire_past, expire_far: well-formed answers
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(append(body, '\n'))
	}
}

// untrustedTLS is a server configuration whose certificate chains to a CA
// of its own, made on first use.
var untrustedTLS = struct {
	once sync.Once
	cfg  *tls.Config
	err  error
}{}

func (p *proxy) untrustedConfig() (*tls.Config, error) {
	untrustedTLS.once.Do(func() {
		host, _ := p.hostPort()
		other, err := newPKI([]string{host}, 24*time.Hour)
		if err != nil {
			untrustedTLS.err = err
			return
		}
		untrustedTLS.cfg = other.serverTLS()
	})
	return untrustedTLS.cfg, untrustedTLS.err
}

// handleHostile runs one connection in a hostile login mode. Every password
// message that arrives is counted, by whether TLS protected it.
func (p *proxy) handleHostile(raw net.Conn, mode string) {
	p.st.count(func(n *counters) { n.hostileConnections++ })
	log.Printf("proxy: hostile login mode %q", mode)
	var conn net.Conn = raw
	secure := false
	for {
		code, body, err := readStartupPacket(conn)
		if err != nil {
			return
		}
		switch {
		case code == sslRequestCode && !secure:
			switch mode {
			case "garbage_ssl_answer":
				_, _ = conn.Write(append([]byte{'X'}, randomGarbage(63)...))
				return
			case "no_tls":
				if _, err := conn.Write([]byte{'N'}); err != nil {
					return
				}
				continue
			}
			cfg := p.startTLS
			if mode == "untrusted_cert" {
				if cfg, err = p.untrustedConfig(); err != nil {
					log.Printf("proxy: making the untrusted certificate: %v", err)
					return
				}
			}
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return
			}
			tc := tls.Server(conn, cfg)
			if tc.Handshake() != nil {
				return
			}
			conn, secure = tc, true
		case code>>16 == 3:
			if !secure {
				p.st.count(func(n *counters) { n.plaintextStartups++ })
			}
			params, _ := parseStartupParams(body)
			p.hostileLogin(conn, secure, mode, params["user"])
			return
		default:
			return
		}
	}
}

func (p *proxy) hostileLogin(conn net.Conn, secure bool, mode, role string) {
	request := make([]byte, 4)
	switch mode {
	case "garbage":
		_, _ = conn.Write(hostileGarbage)
		return
	case "md5":
		binary.BigEndian.PutUint32(request, 5)
		request = append(request, randomGarbage(4)...) // the salt
	case "scram":
		binary.BigEndian.PutUint32(request, 10)
		request = append(request, "SCRAM-SHA-256\x00\x00"...)
	default:
		binary.BigEndian.PutUint32(request, 3) // cleartext
	}
	if _, err := conn.Write(message('R', request)); err != nil {
		return
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	typ, _, err := readMessage(conn, maxPasswordMessage)
	if err != nil {
		return
	}
	if typ == 'p' {
		p.st.count(func(n *counters) {
			if secure {
				n.passwordMessagesTLS++
			} else {
				n.passwordMessagesPlaintext++
			}
		})
	}
	p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateInvalidPassword,
		Message: fmt.Sprintf("password authentication failed for user %q", role)})
}

// hostileGarbage is what "garbage" sends: not a protocol message, and a
// client that quotes it would print an invalid UTF-8 byte and a terminal
// escape sequence.
var hostileGarbage = []byte("\xff\x1b[2J\x1b]0;pwned\x07\r\nnot a PostgreSQL server\x00\xc3\x28")

func randomGarbage(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
