package lakebase

/*
#include <stdlib.h>
#include <lakebase.h>
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Credentials is a handle on the process-wide credential provider for one
// key (workspace, identity, endpoint or instance, claims, group, ttl): every
// handle, pool and connector with an equal key shares one cache, one refresh
// schedule and one mint in flight. Safe for concurrent use. Close it when
// done; the provider stops with its last handle.
type Credentials struct {
	mu    sync.RWMutex // held shared around C calls, exclusively to free
	c     *C.lakebase_credentials
	hooks *hooks // the config's callbacks, nil without
}

// Credential is one minted database credential and where to log in with it.
// Token is the Postgres password: never log it.
type Credential struct {
	Token      string
	ExpireTime time.Time
	User       string
	Host       string
	Port       int
	Database   string
	SSLMode    string
}

// NewCredentials resolves and validates cfg and returns a handle on the
// shared provider for its key. It does not call the network. opts add a
// DSN, token source or logger.
// Errors: ErrConfig (the message names the key and the fix).
func NewCredentials(cfg Config, opts ...Option) (*Credentials, error) {
	ccfg, hk, err := newCConfig(cfg, opts)
	if err != nil {
		return nil, err
	}
	defer C.lakebase_config_free(ccfg)
	var h *C.lakebase_credentials
	var cerr *C.lakebase_error
	if rc := C.lakebase_credentials_new(&h, ccfg, &cerr); rc != 0 {
		hk.release(nil)
		return nil, takeError(rc, cerr)
	}
	creds := &Credentials{c: h, hooks: hk}
	// A safety net only: Close is the contract.
	runtime.SetFinalizer(creds, (*Credentials).Close)
	return creds, nil
}

// handle returns the C handle with the read lock held, or ErrClosed.
func (cr *Credentials) handle() (*C.lakebase_credentials, error) {
	cr.mu.RLock()
	if cr.c == nil {
		cr.mu.RUnlock()
		return nil, &Error{Code: CodeClosed, Message: "the credentials handle is closed"}
	}
	return cr.c, nil
}

// Get returns a credential valid for at least the core's hard margin,
// from the cache or by minting (one mint in flight per key).
// Errors: ErrAuth, ErrPermission, ErrNotFound, ErrAPI, ErrNetwork,
// ErrServer, ErrTimeout, ErrProtocol, ErrCallback, ErrConfig, ErrClosed.
func (cr *Credentials) Get(ctx context.Context) (Credential, error) {
	cred, err := cr.get(ctx)
	if err != nil {
		return Credential{}, cr.hooks.explain(err)
	}
	defer C.lakebase_credential_free(cred) // zeroes the C copy of the token
	return Credential{
		Token:      C.GoString(C.lakebase_credential_token(cred)),
		ExpireTime: time.UnixMilli(int64(C.lakebase_credential_expire_time_ms(cred))),
		User:       C.GoString(C.lakebase_credential_user(cred)),
		Host:       C.GoString(C.lakebase_credential_host(cred)),
		Port:       int(C.lakebase_credential_port(cred)),
		Database:   C.GoString(C.lakebase_credential_database(cred)),
		SSLMode:    C.GoString(C.lakebase_credential_sslmode(cred)),
	}, nil
}

// Open mints now if the cache is empty and waits for it, so a service fails
// at startup when the identity, endpoint or permissions are wrong.
func (cr *Credentials) Open(ctx context.Context) error {
	cred, err := cr.get(ctx)
	C.lakebase_credential_free(cred)
	return cr.hooks.explain(err)
}

// get serves the cached credential at once, or waits for the mint (on one
// of the core's worker threads) without parking a goroutine or OS thread in
// C. If ctx is done first it returns ctx.Err(); the mint goes on, and the
// handle stays open until it ends.
func (cr *Credentials) get(ctx context.Context) (*C.lakebase_credential, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h, err := cr.handle()
	if err != nil {
		return nil, err
	}
	c := getCompletion()
	rc, now, cerr := getAsync(h, c)
	if rc <= 0 {
		cr.mu.RUnlock()
		c.put()
		return now, check(rc, cerr)
	}
	select {
	case r := <-c.ch:
		cr.mu.RUnlock()
		c.put()
		return r.cred, check(errorCode(r.err), r.err)
	case <-ctx.Done():
		go func() { // the core uses the handle until the mint ends
			r := <-c.ch
			cr.mu.RUnlock()
			c.put()
			C.lakebase_credential_free(r.cred)
			C.lakebase_error_free(r.err)
		}()
		return nil, ctx.Err()
	}
}

// Invalidate drops the cached token if it is still token ("" drops whatever
// is cached), so the next Get mints anew. Never blocks on the network.
func (cr *Credentials) Invalidate(token string) error {
	h, err := cr.handle()
	if err != nil {
		return err
	}
	defer cr.mu.RUnlock()
	var ct *C.char
	if token != "" {
		ct = cString(token)
		defer freeSecretCString(ct)
	}
	var cerr *C.lakebase_error
	return check(C.lakebase_credentials_invalidate(h, ct, &cerr), cerr)
}

// CredentialStats are the shared provider's counters.
type CredentialStats struct {
	MintsOK             uint64
	MintsFailed         uint64 // failed attempts, each retry counted
	LastMintLatency     time.Duration
	ExpireTime          time.Time // of the cached token; zero if none
	DegradedSince       time.Time // zero when healthy
	LastErrorCode       Code      // 0 if none
	LastErrorHTTPStatus int
	LastErrorMessage    string    // never a secret
	NextRefresh         time.Time // zero if none planned
}

// Stats returns the provider's counters. Never blocks on the network.
func (cr *Credentials) Stats() (CredentialStats, error) {
	h, err := cr.handle()
	if err != nil {
		return CredentialStats{}, err
	}
	defer cr.mu.RUnlock()
	st := C.lakebase_credential_stats{version: C.LAKEBASE_CREDENTIAL_STATS_VERSION}
	var cerr *C.lakebase_error
	if rc := C.lakebase_credentials_stats(h, &st, &cerr); rc != 0 {
		return CredentialStats{}, takeError(rc, cerr)
	}
	return credentialStatsFromC(&st), nil
}

func credentialStatsFromC(st *C.lakebase_credential_stats) CredentialStats {
	return CredentialStats{
		MintsOK:             uint64(st.mints_ok),
		MintsFailed:         uint64(st.mints_failed),
		LastMintLatency:     time.Duration(st.last_mint_latency_us) * time.Microsecond,
		ExpireTime:          unixMilliOrZero(int64(st.expire_time_unix_ms)),
		DegradedSince:       unixMilliOrZero(int64(st.degraded_since_unix_ms)),
		LastErrorCode:       Code(st.last_error_code),
		LastErrorHTTPStatus: int(st.last_error_http_status),
		LastErrorMessage:    C.GoString(&st.last_error_message[0]),
		NextRefresh:         unixMilliOrZero(int64(st.next_refresh_unix_ms)),
	}
}

func unixMilliOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Close releases the handle; later calls fail with ErrClosed. It waits for
// calls in progress on this handle (a mint is bounded by the core's
// timeouts). Safe to call more than once.
func (cr *Credentials) Close() error {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if cr.c != nil {
		cr.hooks.release(func() { C.lakebase_credentials_free(cr.c) })
		cr.c = nil
		runtime.SetFinalizer(cr, nil)
	}
	return nil
}
