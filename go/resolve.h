// Code generated from core/resolve.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Where and as whom to log in: the Postgres host discovered from the
 * endpoint or instance, and the role (explicit -> PGUSER -> client id ->
 * SCIM Me). */
#ifndef LB_RESOLVE_H
#define LB_RESOLVE_H

#include "config.h"
#include "workspace_api.h"

/* rc->pg_host when set, else GET the endpoint (status.hosts.host) or the
 * instance (read_write_dns / read_only_dns). *host is heap-owned. */
int lb_resolve_host(const lb_workspace_api *api, const lb_resolved_config *rc,
                    char **host, int64_t *retry_hint_ms, lakebase_error **err);

/* rc->pg_user when set (explicit or PGUSER), else the OAuth client id, else
 * SCIM Me's userName. *user is heap-owned. */
int lb_resolve_role(const lb_workspace_api *api, const lb_resolved_config *rc,
                    char **user, int64_t *retry_hint_ms, lakebase_error **err);

#endif
