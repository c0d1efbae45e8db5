package main

// The workspace's HTTPS listener and the API outages injected into it: for
// a while every workspace answer is a 5xx or 429 ("status"), or the listener
// is closed and its connections dropped so clients see connection refused
// ("refuse"). The control API has a listener of its own, reachable through
// any outage.

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// apiOutage is the outage in progress.
type apiOutage struct {
	Mode       string    // "status" or "refuse"
	Status     int       // the answer in "status" mode
	RetryAfter int       // seconds, for 429
	Seconds    float64   // as requested
	Until      time.Time // end of the outage
}

// connKey finds the raw connection of a request, for answers that close it.
type connKey struct{}

type apiServer struct {
	srv  *http.Server
	addr string

	mu     sync.Mutex
	ln     net.Listener // nil while a "refuse" outage runs
	conns  map[net.Conn]struct{}
	outage *apiOutage
	timer  *time.Timer
	closed bool
}

func newAPIServer(ln net.Listener, srv *http.Server) *apiServer {
	a := &apiServer{srv: srv, addr: ln.Addr().String(), ln: ln, conns: make(map[net.Conn]struct{})}
	srv.ConnState = a.track
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	return a
}

func (a *apiServer) track(c net.Conn, s http.ConnState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch s {
	case http.StateNew:
		a.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(a.conns, c)
	}
}

// serve starts serving on the current listener.
func (a *apiServer) serve() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.serveLocked()
}

func (a *apiServer) serveLocked() {
	if a.ln == nil || a.closed {
		return
	}
	ln := a.ln
	go func() {
		err := a.srv.ServeTLS(ln, "", "")
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Printf("https server: %v", err)
		}
	}()
}

// current reports the outage in progress, if any.
func (a *apiServer) current() *apiOutage {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.outage == nil {
		return nil
	}
	o := *a.outage
	return &o
}

// startOutage begins an outage of the given length now, replacing any
// other; seconds <= 0 ends the current one.
func (a *apiServer) startOutage(o apiOutage) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.endLocked()
	if o.Seconds <= 0 || a.closed {
		return
	}
	d := time.Duration(o.Seconds * float64(time.Second))
	o.Until = time.Now().Add(d)
	a.outage = &o
	if o.Mode == "refuse" && a.ln != nil {
		a.ln.Close()
		a.ln = nil
		for c := range a.conns {
			c.Close()
		}
	}
	log.Printf("workspace: API outage (%s %d) for %v", o.Mode, o.Status, d)
	cur := a.outage
	a.timer = time.AfterFunc(d, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.outage == cur {
			a.endLocked()
		}
	})
}

func (a *apiServer) endOutage() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.endLocked()
}

func (a *apiServer) endLocked() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	if a.outage != nil {
		log.Printf("workspace: API outage over")
	}
	a.outage = nil
	if a.ln == nil && !a.closed {
		a.relistenLocked()
	}
}

// relistenLocked reopens the listener on the same address, retrying in the
// background if the port is briefly unavailable.
func (a *apiServer) relistenLocked() {
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		log.Printf("workspace: reopening %s: %v (retrying)", a.addr, err)
		time.AfterFunc(100*time.Millisecond, func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.ln == nil && a.outage == nil && !a.closed {
				a.relistenLocked()
			}
		})
		return
	}
	a.ln = ln
	a.serveLocked()
}

// close stops the server for good.
func (a *apiServer) close() {
	a.mu.Lock()
	a.closed = true
	if a.timer != nil {
		a.timer.Stop()
	}
	a.mu.Unlock()
	_ = a.srv.Close()
}
