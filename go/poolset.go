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

// PoolSet is a keyed set of pools, one per identity, for a web handler
// acting on behalf of each user (Databricks Apps forward the user's
// workspace token in x-forwarded-access-token): each identity's pool mints
// with that identity's token and logs in as the identity's own role, so no
// credential or connection crosses users. The core bounds the number of
// pools (the least recently used idle one makes room) and closes pools
// idle for idleEvict on its background thread. Safe for concurrent use.
type PoolSet struct {
	mu    sync.RWMutex // held shared around C calls, exclusively to free
	c     *C.lakebase_user_pools
	hooks *hooks
}

// NewPoolSet makes a set from cfg: the endpoint or instance, the workspace
// host and the pool.* and credential keys every identity's pool uses. cfg
// must not name an identity (no pg.user, pg.password, auth.token or client
// secret): ErrConfig says which. opts may add a logger or a span listener,
// which every identity's pool reports through.
func NewPoolSet(cfg Config, maxPools int, idleEvict time.Duration, opts ...Option) (*PoolSet, error) {
	ccfg, hk, err := newCConfig(cfg, opts)
	if err != nil {
		return nil, err
	}
	defer C.lakebase_config_free(ccfg)
	seconds := int((idleEvict + time.Second - 1) / time.Second)
	var h *C.lakebase_user_pools
	var cerr *C.lakebase_error
	if rc := C.lakebase_user_pools_new(&h, ccfg, C.int(maxPools), C.int(seconds), &cerr); rc != 0 {
		hk.release(nil)
		return nil, takeError(rc, cerr)
	}
	s := &PoolSet{c: h, hooks: hk}
	runtime.SetFinalizer(s, (*PoolSet).Close) // safety net: Close is the contract
	return s, nil
}

// Acquire leases a connection from the pool of the identity key (a stable,
// non-secret name of the user, never the token), making that pool when the
// set has none. workspaceToken is the identity's current workspace token
// (the forwarded user token; "" for a key whose pool exists): the newest
// one given is what the identity's credential is minted with. Release the
// connection when done. ctx's deadline bounds the wait; a full set whose
// pools are all in use fails at once with ErrTimeout.
func (s *PoolSet) Acquire(ctx context.Context, key, workspaceToken string) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := int64(-1)
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(0, time.Until(deadline).Milliseconds())
	}
	c := getCompletion()
	rc, now, ticket, cerr := s.startAcquire(key, workspaceToken, timeout, c)
	switch {
	case rc == 0:
		c.put()
		return &Conn{c: now, sockets: newSockets(), ownsSockets: true}, nil
	case rc < 0 && cerr == nil:
		c.put()
		return nil, &Error{Code: CodeClosed, Message: "the pool set is closed"}
	case rc < 0:
		c.put()
		return nil, s.hooks.explain(takeError(rc, cerr))
	}
	// Waits without the lock, so Close can end the wait (ErrClosed).
	conn, cerr, err := awaitLease(ctx, c, func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		// A closed set has ended every request: the outcome is on its way.
		return s.c != nil && C.lakebase_user_pools_acquire_cancel(s.c, ticket) == 0
	})
	switch {
	case err != nil:
		return nil, err
	case cerr != nil:
		return nil, s.hooks.explain(takeError(errorCode(cerr), cerr))
	}
	return &Conn{c: conn, sockets: newSockets(), ownsSockets: true}, nil
}

// startAcquire asks the core for a lease (see acquireFromSetAsync).
func (s *PoolSet) startAcquire(key, workspaceToken string, timeout int64, c *completion) (
	C.int, *C.lakebase_conn, C.uint64_t, *C.lakebase_error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return C.LAKEBASE_ECLOSED, nil, 0, nil
	}
	ckey := cString(key)
	defer freeCString(ckey)
	var ctoken *C.char
	if workspaceToken != "" {
		ctoken = cString(workspaceToken)
		defer freeSecretCString(ctoken)
	}
	return acquireFromSetAsync(s.c, ckey, ctoken, timeout, c)
}

// PoolSetStats are a set's counters: never per user.
type PoolSetStats struct {
	Pools        int    // pools (identities) open now
	PoolsCreated uint64 // since the set was made
	EvictedIdle  uint64 // closed after idleEvict without use
	EvictedFull  uint64 // closed to make room for another identity
	Rejected     uint64 // acquires refused: full, and every pool in use
	// Pool sums every pool's counters (evicted pools' included), with the
	// providers' counters summed in Pool.Credential.
	Pool PoolStats
}

// Stats returns the set's counters. Never blocks on the network.
func (s *PoolSet) Stats() (PoolSetStats, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return PoolSetStats{}, &Error{Code: CodeClosed, Message: "the pool set is closed"}
	}
	var st C.lakebase_user_pools_stats
	st.version = C.LAKEBASE_USER_POOLS_STATS_VERSION
	var cerr *C.lakebase_error
	if rc := C.lakebase_user_pools_get_stats(s.c, &st, &cerr); rc != 0 {
		return PoolSetStats{}, takeError(rc, cerr)
	}
	p := &st.pool
	out := PoolSetStats{
		Pools:        int(st.pools),
		PoolsCreated: uint64(st.pools_created),
		EvictedIdle:  uint64(st.evicted_idle),
		EvictedFull:  uint64(st.evicted_full),
		Rejected:     uint64(st.rejected),
		Pool: PoolStats{
			Total:           int(p.total),
			Idle:            int(p.idle),
			InUse:           int(p.in_use),
			Connecting:      int(p.connecting),
			Waiting:         int(p.waiting),
			ConnectsOK:      uint64(p.connects_ok),
			ConnectsFailed:  uint64(p.connects_failed),
			Recycled:        uint64(p.recycled),
			Discarded:       uint64(p.discarded),
			Trimmed:         uint64(p.trimmed),
			Acquires:        uint64(p.acquires),
			AcquireTimeouts: uint64(p.acquire_timeouts),
			Credential:      credentialStatsFromC(&st.credential),
		},
	}
	for i := range out.Pool.WaitHistogram {
		out.Pool.WaitHistogram[i] = uint64(p.wait_histogram[i])
	}
	return out, nil
}

// Close closes every pool of the set, waiting for calls in progress on it;
// every connection must have been released. Safe to call more than once.
func (s *PoolSet) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		s.hooks.release(func() { C.lakebase_user_pools_free(s.c) })
		s.c = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}
