// Code generated from bindings/src/glue.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* What every public entry point shares: the handle error and turning a
 * configuration handle into a resolved configuration. */
#ifndef LB_GLUE_H
#define LB_GLUE_H

#include "config.h"
#include "lakebase.h"

/* The header's rule for `err`: a *err that is not NULL on entry is an
 * earlier error the caller has not freed; the call does nothing. */
#define LB_GLUE_ERR_IN(err)                                                    \
    do {                                                                       \
        if ((err) && *(err))                                                   \
            return LAKEBASE_EINVAL;                                            \
    } while (0)

/* LAKEBASE_EHANDLE naming the handle type `what`. */
int lb_glue_bad_handle(lakebase_error **err, const char *what);

/* Checks cfg's tag, initialises libcurl once, and resolves cfg (values >
 * environment > profile > defaults, validated) into *rc. */
int lb_glue_resolve(const lakebase_config *cfg, lb_resolved_config *rc,
                    lakebase_error **err);

/* Mint listeners on a credentials handle's provider (lb_provider_listen);
 * a static-password handle never mints: listening succeeds and is never
 * called. */
int lb_glue_credentials_listen(lakebase_credentials *c,
                               void (*fn)(void *userdata), void *userdata,
                               lakebase_error **err);
void lb_glue_credentials_unlisten(lakebase_credentials *c,
                                  void (*fn)(void *userdata), void *userdata);

#endif
