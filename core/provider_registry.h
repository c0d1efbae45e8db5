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

/* Drops one reference; the last one stops and frees the provider. */
void lb_registry_release(lb_provider *p);

#endif
