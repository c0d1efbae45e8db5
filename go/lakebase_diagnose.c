// Code generated from bindings/src/lakebase_diagnose.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Public glue for lakebase_diagnose: argument checks over core/diagnose.c. */
#include "lakebase.h"

#include <stdlib.h>

#include "diagnose.h"
#include "error.h"
#include "glue.h"
#include "handle.h"

static const char *process_getenv(void *ctx, const char *name) {
    (void)ctx;
    return getenv(name);
}

int lakebase_diagnose(const lakebase_config *cfg, lakebase_diagnosis_fn fn,
                      void *userdata, lakebase_error **err) {
    LB_GLUE_ERR_IN(err);
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return lb_glue_bad_handle(err, "lakebase_config");
    if (!fn)
        return lb_err(err, LAKEBASE_EINVAL, "fn must not be NULL");
    return lb_diagnose(cfg, process_getenv, NULL, fn, userdata, err);
}

const char *lakebase_verdict_name(int verdict) {
    return lb_verdict_name(verdict);
}
