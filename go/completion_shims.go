package lakebase

/*
#include <stdint.h>
#include <lakebase.h>

// Exported from completion.go.
extern void lbGoLeased(void *, lakebase_conn *, lakebase_error *);
extern void lbGoOpened(void *, lakebase_error *);
extern void lbGoCredential(void *, lakebase_credential *, lakebase_error *);
extern void lbGoConnClosed(void *, uint64_t);

// The completion's cgo.Handle travels as the callbacks' userdata.
static int lb_go_acquire_async(lakebase_pool *pool, long timeout_ms,
                               uintptr_t completion, lakebase_conn **now,
                               uint64_t *ticket, lakebase_error **err) {
    return lakebase_pool_acquire_async(pool, timeout_ms, lbGoLeased,
                                       (void *)completion, now, ticket, err);
}

static int lb_go_user_pools_acquire_async(lakebase_user_pools *set,
                                          const char *key, const char *token,
                                          long timeout_ms, uintptr_t completion,
                                          lakebase_conn **now, uint64_t *ticket,
                                          lakebase_error **err) {
    return lakebase_user_pools_acquire_async(set, key, token, timeout_ms,
                                             lbGoLeased, (void *)completion,
                                             now, ticket, err);
}

static int lb_go_open_async(lakebase_pool *pool, uintptr_t completion,
                            lakebase_error **err) {
    return lakebase_pool_open_async(pool, lbGoOpened, (void *)completion, err);
}

static int lb_go_set_close_callback(lakebase_pool *pool, uintptr_t sockets) {
    return lakebase_pool_set_close_callback(pool, lbGoConnClosed,
                                            (void *)sockets, NULL);
}

static int lb_go_get_async(lakebase_credentials *creds, uintptr_t completion,
                           lakebase_credential **now, lakebase_error **err) {
    return lakebase_credentials_get_async(creds, now, lbGoCredential,
                                          (void *)completion, err);
}
*/
import "C"

// acquireAsync starts a lease: rc 0 (now set), 1 (pending: c receives it;
// ticket names it) or an error code.
func acquireAsync(h *C.lakebase_pool, timeoutMs int64, c *completion) (
	rc C.int, now *C.lakebase_conn, ticket C.uint64_t, cerr *C.lakebase_error) {
	rc = C.lb_go_acquire_async(h, C.long(timeoutMs), c.userdata(), &now, &ticket, &cerr)
	return
}

// acquireFromSetAsync starts a lease from the pool of identity key, as
// acquireAsync.
func acquireFromSetAsync(h *C.lakebase_user_pools, key, token *C.char, timeoutMs int64, c *completion) (
	rc C.int, now *C.lakebase_conn, ticket C.uint64_t, cerr *C.lakebase_error) {
	rc = C.lb_go_user_pools_acquire_async(h, key, token, C.long(timeoutMs), c.userdata(), &now, &ticket, &cerr)
	return
}

// openAsync starts an open; c receives its outcome (unless rc != 0).
func openAsync(h *C.lakebase_pool, c *completion) (C.int, *C.lakebase_error) {
	var cerr *C.lakebase_error
	rc := C.lb_go_open_async(h, c.userdata(), &cerr)
	return rc, cerr
}

// getAsync gets a credential: rc 0 (now set), 1 (pending: c receives it)
// or an error code.
func getAsync(h *C.lakebase_credentials, c *completion) (
	rc C.int, now *C.lakebase_credential, cerr *C.lakebase_error) {
	rc = C.lb_go_get_async(h, c.userdata(), &now, &cerr)
	return
}

// setCloseCallback tells the pool to report its connections' closes to s.
func setCloseCallback(h *C.lakebase_pool, s *sockets) C.int {
	return C.lb_go_set_close_callback(h, C.uintptr_t(s.handle))
}
