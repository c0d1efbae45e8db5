// Code generated from bindings/src/glue.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

#include "glue.h"

#include "error.h"
#include "handle.h"
#include "http.h"

int lb_glue_bad_handle(lakebase_error **err, const char *what) {
    return lb_err(err, LAKEBASE_EHANDLE,
                  "%s is NULL, already freed, or not a %s handle", what, what);
}

int lb_glue_resolve(const lakebase_config *cfg, lb_resolved_config *rc,
                    lakebase_error **err) {
    if (!LB_HANDLE_OK(cfg, LB_TAG_CONFIG))
        return lb_glue_bad_handle(err, "lakebase_config");
    lb_http_global_init();
    return lb_config_resolve(cfg, rc, err);
}
