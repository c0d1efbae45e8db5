// Code generated from core/provider_registry.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* One credential provider per key, shared by every handle in the process:
 * the key is everything that changes what is minted or how (workspace,
 * identity, endpoint or instance, claims, group, ttl, role, timing). */
#ifndef LB_PROVIDER_REGISTRY_H
#define LB_PROVIDER_REGISTRY_H

#include "config.h"
#include "credential.h"

/* Returns the provider for rc's key, creating it on first use (no network).
 * Every successful acquire is paired with one lb_registry_release. */
int lb_registry_acquire(const lb_resolved_config *rc, lb_provider **out,
                        lakebase_error **err);

/* The same, creating providers with `deps` (tests: a fake workspace and
 * clock; NULL: the real thing). */
int lb_registry_acquire_with(const lb_resolved_config *rc,
                             const lb_provider_deps *deps, lb_provider **out,
                             lakebase_error **err);

/* Drops one reference. A provider whose last reference goes *lingers* while
 * its cached token is usable: paused (no background refresh), reused by the
 * next acquire of its key, so a script that connects and disconnects in a
 * loop mints once per token lifetime, not once per connect. It is freed
 * when its token is no longer usable (found at the next acquire or
 * release), when more than LB_REGISTRY_MAX_LINGERING providers linger (the
 * oldest goes), and its token is zeroed at process exit. */
void lb_registry_release(lb_provider *p);

#define LB_REGISTRY_MAX_LINGERING 16

#endif
