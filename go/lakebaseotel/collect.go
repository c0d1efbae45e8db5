package lakebaseotel

/*
#include <stdlib.h>
#include <lakebase.h>

void lbotelPoint(void *userdata, const lakebase_metric_point *point);

static int lbotel_collect(const lakebase_pool_stats *pool,
                          const lakebase_credential_stats *cred,
                          const char *name, uintptr_t userdata,
                          lakebase_error **err) {
    return lakebase_metrics_from_stats(pool, cred, name, lbotelPoint,
                                       (void *)userdata, err);
}

static int lbotel_collect_set(const lakebase_user_pools_stats *set,
                              const char *name, uintptr_t userdata,
                              lakebase_error **err) {
    return lakebase_user_pools_metrics_from_stats(set, name, lbotelPoint,
                                                (void *)userdata, err);
}
*/
import "C"

import (
	"errors"
	"runtime/cgo"
	"time"
	"unsafe"

	lakebase "github.com/lakebase-connector/lakebase-go"
)

// point is one data point as the core reported it.
type point struct {
	metric      int
	keys, vals  []string
	value       float64
	count       uint64
	sum         float64
	hasSum      bool
	bounds      []float64
	bucketCount []uint64
}

func millisOrZero(t time.Time) C.int64_t {
	if t.IsZero() {
		return 0
	}
	return C.int64_t(t.UnixMilli())
}

func cPoolStats(s *lakebase.PoolStats) C.lakebase_pool_stats {
	st := C.lakebase_pool_stats{version: C.LAKEBASE_POOL_STATS_VERSION}
	st.total = C.int(s.Total)
	st.idle = C.int(s.Idle)
	st.in_use = C.int(s.InUse)
	st.connecting = C.int(s.Connecting)
	st.waiting = C.int(s.Waiting)
	st.connects_ok = C.uint64_t(s.ConnectsOK)
	st.connects_failed = C.uint64_t(s.ConnectsFailed)
	st.recycled = C.uint64_t(s.Recycled)
	st.discarded = C.uint64_t(s.Discarded)
	st.trimmed = C.uint64_t(s.Trimmed)
	st.acquires = C.uint64_t(s.Acquires)
	st.acquire_timeouts = C.uint64_t(s.AcquireTimeouts)
	for i, n := range s.WaitHistogram {
		st.wait_histogram[i] = C.uint64_t(n)
	}
	return st
}

func cCredentialStats(s *lakebase.CredentialStats) C.lakebase_credential_stats {
	st := C.lakebase_credential_stats{version: C.LAKEBASE_CREDENTIAL_STATS_VERSION}
	st.mints_ok = C.uint64_t(s.MintsOK)
	st.mints_failed = C.uint64_t(s.MintsFailed)
	st.last_mint_latency_us = C.int64_t(s.LastMintLatency.Microseconds())
	st.expire_time_unix_ms = millisOrZero(s.ExpireTime)
	st.degraded_since_unix_ms = millisOrZero(s.DegradedSince)
	st.next_refresh_unix_ms = millisOrZero(s.NextRefresh)
	return st
}

// collect turns a pool's (may be nil) and a provider's (may be nil)
// counters into points through the core's mapping.
func collect(pool *lakebase.PoolStats, cred *lakebase.CredentialStats, poolName string) ([]point, error) {
	var ps *C.lakebase_pool_stats
	var cs *C.lakebase_credential_stats
	if pool != nil {
		st := cPoolStats(pool)
		ps = &st
	}
	if cred != nil {
		st := cCredentialStats(cred)
		cs = &st
	}
	var name *C.char
	if poolName != "" {
		name = C.CString(poolName)
		defer C.free(unsafe.Pointer(name))
	}
	var out []point
	h := cgo.NewHandle(&out)
	defer h.Delete()
	var cerr *C.lakebase_error
	if rc := C.lbotel_collect(ps, cs, name, C.uintptr_t(h), &cerr); rc != 0 {
		msg := C.GoString(C.lakebase_error_message(cerr))
		C.lakebase_error_free(cerr)
		return nil, errors.New("lakebaseotel: " + msg)
	}
	return out, nil
}

func cPoolSetStats(s *lakebase.PoolSetStats) C.lakebase_user_pools_stats {
	var st C.lakebase_user_pools_stats
	st.version = C.LAKEBASE_USER_POOLS_STATS_VERSION
	st.pools = C.int(s.Pools)
	st.pools_created = C.uint64_t(s.PoolsCreated)
	st.evicted_idle = C.uint64_t(s.EvictedIdle)
	st.evicted_full = C.uint64_t(s.EvictedFull)
	st.rejected = C.uint64_t(s.Rejected)
	st.pool = cPoolStats(&s.Pool)
	st.credential = cCredentialStats(&s.Pool.Credential)
	return st
}

// collectSet turns a pool set's counters into points through the core's
// mapping (summed over its pools: never one series per user).
func collectSet(set *lakebase.PoolSetStats, name string) ([]point, error) {
	st := cPoolSetStats(set)
	var cname *C.char
	if name != "" {
		cname = C.CString(name)
		defer C.free(unsafe.Pointer(cname))
	}
	var out []point
	h := cgo.NewHandle(&out)
	defer h.Delete()
	var cerr *C.lakebase_error
	if rc := C.lbotel_collect_set(&st, cname, C.uintptr_t(h), &cerr); rc != 0 {
		msg := C.GoString(C.lakebase_error_message(cerr))
		C.lakebase_error_free(cerr)
		return nil, errors.New("lakebaseotel: " + msg)
	}
	return out, nil
}
