package lakebase

/*
#include <stdint.h>
#include <lakebase.h>

extern void lbGoMetricPoint(void *, lakebase_metric_point *);

static void lbgo_metric_point(void *userdata, const lakebase_metric_point *p) {
    lbGoMetricPoint(userdata, (lakebase_metric_point *)p);
}

static int lbgo_pool_metrics(lakebase_pool *pool, const char *name,
                             uintptr_t userdata, lakebase_error **err) {
    return lakebase_pool_metrics(pool, name, lbgo_metric_point,
                                 (void *)userdata, err);
}

static int lbgo_credentials_metrics(lakebase_credentials *creds,
                                    uintptr_t userdata, lakebase_error **err) {
    return lakebase_credentials_metrics(creds, lbgo_metric_point,
                                        (void *)userdata, err);
}

static int lbgo_user_pools_metrics(lakebase_user_pools *set, const char *name,
                                   uintptr_t userdata, lakebase_error **err) {
    return lakebase_user_pools_metrics(set, name, lbgo_metric_point,
                                       (void *)userdata, err);
}
*/
import "C"

import "runtime/cgo"

// collectPoints runs one of the core's collections (report calls the shim
// with the userdata) and returns its points.
func collectPoints(report func(userdata C.uintptr_t, cerr **C.lakebase_error) C.int) ([]MetricPoint, error) {
	var out []MetricPoint
	h := cgo.NewHandle(&out)
	defer h.Delete()
	var cerr *C.lakebase_error
	if rc := report(C.uintptr_t(h), &cerr); rc != 0 {
		return nil, takeError(rc, cerr)
	}
	return out, nil
}

func poolMetrics(pool *C.lakebase_pool, name *C.char) ([]MetricPoint, error) {
	return collectPoints(func(ud C.uintptr_t, cerr **C.lakebase_error) C.int {
		return C.lbgo_pool_metrics(pool, name, ud, cerr)
	})
}

func credentialsMetrics(creds *C.lakebase_credentials) ([]MetricPoint, error) {
	return collectPoints(func(ud C.uintptr_t, cerr **C.lakebase_error) C.int {
		return C.lbgo_credentials_metrics(creds, ud, cerr)
	})
}

func userPoolsMetrics(set *C.lakebase_user_pools, name *C.char) ([]MetricPoint, error) {
	return collectPoints(func(ud C.uintptr_t, cerr **C.lakebase_error) C.int {
		return C.lbgo_user_pools_metrics(set, name, ud, cerr)
	})
}
