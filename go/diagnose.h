// Code generated from core/diagnose.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* lakebase doctor's walk (lakebase_diagnose): every step from a
 * configuration to `SELECT 1`, each reported with its verdict, duration,
 * what was found and the fix, plus the classic traps. Every message a user
 * reads is written here, in the core. */
#ifndef LB_DIAGNOSE_H
#define LB_DIAGNOSE_H

#include "config.h"
#include "lakebase.h"

/* The walk, with the environment read through `getenv_fn`. */
int lb_diagnose(const lakebase_config *cfg, lb_getenv_fn getenv_fn,
                void *env_ctx, lakebase_diagnosis_fn fn, void *userdata,
                lakebase_error **err);

const char *lb_verdict_name(int verdict);

#endif
