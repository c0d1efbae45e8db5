package main

// The login proxy: speaks the PostgreSQL startup protocol like Lakebase
// (TLS required, cleartext password = a database credential), checks the
// credential, then relays the connection to the real server's unix socket.

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	startupTimeout = 30 * time.Second
	// A password message carries a credential; real ones are < 2 KiB.
	maxPasswordMessage = 16 << 10
)

// coldStart describes an injected scale-to-zero wake-up.
type coldStart struct {
	Mode    string    // "refuse" or "57P03"
	Seconds float64   // as requested
	Until   time.Time // end of the wake-up
}

type proxyConn struct {
	client  net.Conn // the raw TCP socket
	backend net.Conn // set once relaying
}

type proxy struct {
	st         *state
	addr       string // the bound address, kept across cold starts
	socketPath string // the real server
	startTLS   *tls.Config
	directTLS  *tls.Config

	mu       sync.Mutex
	ln       net.Listener // nil while a "refuse" cold start runs
	closed   bool
	cold     *coldStart
	coldEnd  *time.Timer
	coldHalf *time.Timer // "refuse_then_57P03": reopens the listener
	// forwarding is closed while bytes flow; during a partition it is an
	// open channel that closes when the partition heals.
	forwarding     chan struct{}
	partitionUntil time.Time
	partitionEnd   *time.Timer
	conns          map[*proxyConn]struct{}
	relaying       map[*proxyConn]struct{}
	wg             sync.WaitGroup
}

// listenProxy binds the proxy's address: a random 127.A.B.C on 5432 so
// clients need no port, as on Lakebase; else 127.0.0.1 on a free port.
func listenProxy(flagAddr string) (net.Listener, error) {
	if flagAddr != "" {
		return net.Listen("tcp", flagAddr)
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for i := 0; i < 5; i++ {
		ip := fmt.Sprintf("127.%d.%d.%d", 1+rng.Intn(254), rng.Intn(256), 1+rng.Intn(254))
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, "5432"))
		if err == nil {
			return ln, nil
		}
		log.Printf("proxy: cannot bind %s:5432 (%v)", ip, err)
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

func newProxy(st *state, ln net.Listener, socketPath string, p *pki) *proxy {
	flowing := make(chan struct{})
	close(flowing)
	return &proxy{
		forwarding: flowing,
		st:         st,
		addr:       ln.Addr().String(),
		socketPath: socketPath,
		startTLS:   p.serverTLS(),
		directTLS:  p.serverTLS("postgresql"),
		ln:         ln,
		conns:      make(map[*proxyConn]struct{}),
		relaying:   make(map[*proxyConn]struct{}),
	}
}

func (p *proxy) hostPort() (string, int) {
	host, port, _ := net.SplitHostPort(p.addr)
	n, _ := strconv.Atoi(port)
	return host, n
}

// serve starts accepting on the current listener.
func (p *proxy) serve() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil && !p.closed {
		p.wg.Add(1)
		go p.acceptLoop(p.ln)
	}
}

func (p *proxy) acceptLoop(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			log.Printf("proxy: accept: %v", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

// startColdStart begins a wake-up of the given length now; seconds <= 0
// ends the current one. "refuse" closes the listener (clients see
// ECONNREFUSED) and reopens it on the same address when the time is up.
func (p *proxy) startColdStart(mode string, seconds float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endColdStartLocked()
	if seconds <= 0 || p.closed {
		return
	}
	d := time.Duration(seconds * float64(time.Second))
	p.cold = &coldStart{Mode: mode, Seconds: seconds, Until: time.Now().Add(d)}
	if (mode == "refuse" || mode == "refuse_then_57P03") && p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	log.Printf("proxy: cold start (%s) for %v", mode, d)
	cs := p.cold
	if mode == "refuse_then_57P03" {
		// First half refused, second half accepted and answered 57P03.
		p.coldHalf = time.AfterFunc(d/2, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.cold == cs && p.ln == nil && !p.closed {
				p.relistenLocked()
			}
		})
	}
	p.coldEnd = time.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.cold == cs {
			p.endColdStartLocked()
		}
	})
}

func (p *proxy) endColdStart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endColdStartLocked()
}

func (p *proxy) endColdStartLocked() {
	if p.coldEnd != nil {
		p.coldEnd.Stop()
		p.coldEnd = nil
	}
	if p.coldHalf != nil {
		p.coldHalf.Stop()
		p.coldHalf = nil
	}
	if p.cold != nil {
		log.Printf("proxy: cold start over")
	}
	p.cold = nil
	if p.ln == nil && !p.closed {
		p.relistenLocked()
	}
}

// relistenLocked reopens the listener; the port could be taken meanwhile,
// so it keeps trying in the background until it succeeds or we stop.
func (p *proxy) relistenLocked() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		log.Printf("proxy: reopening %s: %v (retrying)", p.addr, err)
		time.AfterFunc(100*time.Millisecond, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.ln == nil && !p.closed && (p.cold == nil || p.cold.Mode == "refuse_then_57P03") {
				p.relistenLocked()
			}
		})
		return
	}
	p.ln = ln
	p.wg.Add(1)
	go p.acceptLoop(ln)
}

// coldState reports the wake-up in progress, if any.
func (p *proxy) coldState() *coldStart {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cold == nil {
		return nil
	}
	c := *p.cold
	return &c
}

func (p *proxy) openConnections() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return int64(len(p.relaying))
}

// killAll closes every relayed connection, both sides.
func (p *proxy) killAll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for pc := range p.relaying {
		pc.client.Close()
		pc.backend.Close()
		delete(p.relaying, pc)
		n++
	}
	return n
}

// close stops accepting, closes every connection and waits for handlers.
func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	if p.coldEnd != nil {
		p.coldEnd.Stop()
	}
	if p.coldHalf != nil {
		p.coldHalf.Stop()
	}
	p.healLocked()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for pc := range p.conns {
		pc.client.Close()
		if pc.backend != nil {
			pc.backend.Close()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *proxy) track(c net.Conn) *proxyConn {
	pc := &proxyConn{client: c}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
	}
	p.conns[pc] = struct{}{}
	return pc
}

func (p *proxy) untrack(pc *proxyConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, pc)
	delete(p.relaying, pc)
}

// startRelaying registers the backend; false when we are shutting down.
func (p *proxy) startRelaying(pc *proxyConn, backend net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	pc.backend = backend
	p.relaying[pc] = struct{}{}
	return true
}

// prefixConn replays bytes already read from the socket.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(b, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// handle runs one client connection from its first byte to its end.
func (p *proxy) handle(raw net.Conn) {
	pc := p.track(raw)
	defer p.untrack(pc)
	defer raw.Close()
	p.waitForwarding()
	_ = raw.SetDeadline(time.Now().Add(startupTimeout))
	if mode := p.st.currentKnobs().HostileLogin; mode != "" {
		p.handleHostile(raw, mode)
		return
	}

	var first [1]byte
	if _, err := io.ReadFull(raw, first[:]); err != nil {
		return
	}
	var conn net.Conn = &prefixConn{Conn: raw, prefix: first[:]}
	secure := false
	if first[0] == 0x16 { // a TLS handshake record: PostgreSQL 17 direct SSL
		tc := tls.Server(conn, p.directTLS)
		if tc.Handshake() != nil {
			return
		}
		conn, secure = tc, true
	}
	for {
		code, body, err := readStartupPacket(conn)
		if err != nil {
			return
		}
		switch {
		case code == sslRequestCode && !secure:
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return
			}
			tc := tls.Server(conn, p.startTLS)
			if tc.Handshake() != nil {
				return
			}
			conn, secure = tc, true
		case code == gssencRequestCode && !secure:
			if _, err := conn.Write([]byte{'N'}); err != nil {
				return
			}
		case code == cancelRequestCode:
			p.forwardCancel(body)
			return
		case code>>16 == 3:
			p.login(pc, conn, secure, code, body)
			return
		default:
			p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateProtocolViolation,
				Message: fmt.Sprintf("unsupported frontend protocol or request code %d", code)})
			return
		}
	}
}

// forwardCancel passes a CancelRequest to the real server unchanged: the
// BackendKeyData the client holds is the server's own.
func (p *proxy) forwardCancel(body []byte) {
	p.st.count(func(n *counters) { n.cancelRequests++ })
	c, err := net.DialTimeout("unix", p.socketPath, 5*time.Second)
	if err != nil {
		log.Printf("proxy: forwarding a cancel request: %v", err)
		return
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(startupPacket(cancelRequestCode, body)); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, c) // the server hangs up once it has acted
}

func (p *proxy) login(pc *proxyConn, conn net.Conn, secure bool, version uint32, body []byte) {
	params, err := parseStartupParams(body)
	if err != nil {
		p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateProtocolViolation, Message: "invalid startup packet layout"})
		return
	}
	role := params["user"]
	if !secure {
		p.refuse(conn, role, reasonSSLRequired, &pgError{Severity: "FATAL", Code: sqlstateInvalidAuthorization,
			Message: "SSL is required: connect with sslmode=require",
			Detail:  "Lakebase accepts TLS connections only (reason: ssl_required)."})
		return
	}
	if role == "" {
		p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateInvalidAuthorization,
			Message: "no PostgreSQL user name specified in startup packet"})
		return
	}
	if cs := p.coldState(); cs != nil && (cs.Mode == "57P03" || cs.Mode == "refuse_then_57P03") {
		p.refuse(conn, role, reasonColdStart, &pgError{Severity: "FATAL", Code: sqlstateCannotConnectNow,
			Message: "the database system is starting up",
			Detail:  "The compute is waking up from scale to zero; retry shortly (reason: cold_start)."})
		return
	}
	authCleartext := make([]byte, 4)
	binary.BigEndian.PutUint32(authCleartext, 3)
	if _, err := conn.Write(message('R', authCleartext)); err != nil {
		return
	}
	typ, payload, err := readMessage(conn, maxPasswordMessage)
	if err != nil {
		return
	}
	if typ != 'p' {
		p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateProtocolViolation,
			Message: fmt.Sprintf("expected password response, got message type %d", typ)})
		return
	}
	p.st.count(func(n *counters) { n.passwordMessagesTLS++ }) // secure: checked above
	password := strings.TrimSuffix(string(payload), "\x00")
	if reason, detail := p.st.loginVerdict(role, password); reason != "" {
		p.refuse(conn, role, reason, &pgError{Severity: "FATAL", Code: sqlstateInvalidPassword,
			Message: fmt.Sprintf("password authentication failed for user %q (reason: %s)", role, reason),
			Detail:  detail})
		return
	}

	backend, err := net.DialTimeout("unix", p.socketPath, 5*time.Second)
	if err != nil {
		log.Printf("proxy: connecting to the server: %v", err)
		p.fail(conn, &pgError{Severity: "FATAL", Code: sqlstateConnectionFailure,
			Message: "could not connect to the database server"})
		return
	}
	defer backend.Close()
	if _, err := backend.Write(startupPacket(version, body)); err != nil {
		return
	}
	if !p.startRelaying(pc, backend) {
		return
	}
	p.st.count(func(n *counters) { n.loginsAccepted++ })
	log.Printf("proxy: login accepted for %q", role)
	_ = pc.client.SetDeadline(time.Time{})
	p.relay(conn, backend)
}

// relay copies both ways until either side ends, then closes both.
func (p *proxy) relay(client, backend net.Conn) {
	done := make(chan struct{}, 2)
	go func() {
		p.pump(backend, client)
		done <- struct{}{}
	}()
	go func() {
		p.pump(client, backend)
		done <- struct{}{}
	}()
	<-done
	client.Close()
	backend.Close()
	<-done
}

// pump copies src to dst; during a partition what was read is held until
// the partition heals.
func (p *proxy) pump(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.waitForwarding()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitForwarding blocks while a partition holds the traffic.
func (p *proxy) waitForwarding() {
	p.mu.Lock()
	ch := p.forwarding
	p.mu.Unlock()
	select {
	case <-ch:
	default:
		p.st.count(func(n *counters) { n.partitionStalls++ })
		<-ch
	}
}

// startPartition stops forwarding for the given time, replacing any
// partition in progress; seconds <= 0 heals at once. Connections stay open:
// bytes read meanwhile are delivered when it heals, new connections are
// accepted but not answered until then.
func (p *proxy) startPartition(seconds float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.healLocked()
	if seconds <= 0 || p.closed {
		return
	}
	d := time.Duration(seconds * float64(time.Second))
	p.forwarding = make(chan struct{})
	p.partitionUntil = time.Now().Add(d)
	held := p.forwarding
	log.Printf("proxy: partition for %v", d)
	p.partitionEnd = time.AfterFunc(d, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.forwarding == held {
			p.healLocked()
		}
	})
}

// partitionLeft is how long the partition in progress still lasts (0: none).
func (p *proxy) partitionLeft() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.forwarding:
		return 0
	default:
		return time.Until(p.partitionUntil)
	}
}

func (p *proxy) healPartition() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.healLocked()
}

func (p *proxy) healLocked() {
	if p.partitionEnd != nil {
		p.partitionEnd.Stop()
		p.partitionEnd = nil
	}
	select {
	case <-p.forwarding:
	default:
		close(p.forwarding)
		log.Printf("proxy: partition healed")
	}
}

// refuse answers a counted refusal.
func (p *proxy) refuse(conn net.Conn, role, reason string, e *pgError) {
	p.st.count(func(n *counters) { n.refused[reason]++ })
	log.Printf("proxy: login refused for %q (reason: %s)", role, reason)
	p.fail(conn, e)
}

func (p *proxy) fail(conn net.Conn, e *pgError) {
	_, _ = conn.Write(e.encode())
}
