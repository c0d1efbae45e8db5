// Code generated from core/diagnose_internal.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* What the steps of the diagnosis (diagnose*.c) share: the walk's state
 * and the one way a step is reported. */
#ifndef LB_DIAGNOSE_INTERNAL_H
#define LB_DIAGNOSE_INTERNAL_H

#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "http.h"
#include "lakebase.h"
#include "login.h"
#include "workspace_api.h"

typedef struct lb_diag {
    lakebase_diagnosis_fn fn;
    void *userdata;
    const lakebase_config *cfg;
    lb_getenv_fn getenv_fn;
    void *env_ctx;

    int resolved; /* rc is valid */
    int resolve_code;
    lakebase_error *resolve_err;
    int64_t resolve_started_us;
    lb_resolved_config rc;
    lb_key_origin origins[LB_KEY_COUNT];

    /* the workspace */
    lb_http_client *http;
    lb_auth *auth;
    lb_workspace_api api;
    int workspace_ok;     /* reachable over verified TLS */
    int identity_ok;      /* a call authenticated */
    char *identity_name;  /* SCIM userName, or NULL */
    char *resource_state; /* the endpoint's or instance's state, or NULL */
    int scaled_to_zero;   /* that state says so */
    char *pooled_host;    /* the endpoint's pooled host, or NULL */

    /* postgres */
    lb_login *login;
    lb_credential *cred; /* the credential (or static login) to use */
    const char *pg_host; /* the credential's (borrowed) */
    int tcp_ok;

    /* the first failure */
    int first_code;
    lakebase_error *first_err;
} lb_diag;

/* Monotonic microseconds, for a step's duration. */
int64_t lb_diag_now_us(void);

/* Reports one step (started at `started_us`) and remembers the first
 * failure. `fix` may be NULL or "". The detail is formatted. */
void lb_diag_report(lb_diag *d, const char *name, int verdict,
                    int64_t started_us, int code, const char *fix,
                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Where `key` came from, for messages: "from DATABRICKS_HOST", "set
 * explicitly", ... ("not set" when it is not). */
const char *lb_diag_origin(const lb_diag *d, lb_key_id key);

/* The value of an environment variable, or NULL (empty counts as unset). */
const char *lb_diag_getenv(const lb_diag *d, const char *name);

/* Resolves the configuration (reported later by lb_diag_settings). */
void lb_diag_resolve(lb_diag *d);

/* The steps, in the order of the walk. */
void lb_diag_settings(lb_diag *d);
void lb_diag_traps_before(lb_diag *d);
void lb_diag_workspace(lb_diag *d);
void lb_diag_auth(lb_diag *d);
void lb_diag_identity(lb_diag *d);
void lb_diag_resource(lb_diag *d);
void lb_diag_pooled_host(lb_diag *d);
void lb_diag_role(lb_diag *d);
void lb_diag_credential(lb_diag *d);
void lb_diag_postgres(lb_diag *d);

#endif
