// Code generated from core/handle.h by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Type tags at the head of every public handle, so a stale or foreign
 * pointer passed in from a garbage-collected language is reported as
 * LAKEBASE_EHANDLE instead of being used. Tags are cleared on free. */
#ifndef LB_HANDLE_H
#define LB_HANDLE_H

#include <stdint.h>

#define LB_TAG_CONFIG      UINT32_C(0x4c42430a) /* "LBC\n" */
#define LB_TAG_CREDENTIALS UINT32_C(0x4c42500a) /* "LBP\n" */
#define LB_TAG_CREDENTIAL  UINT32_C(0x4c42540a) /* "LBT\n" */
#define LB_TAG_POOL        UINT32_C(0x4c424f0a) /* "LBO\n" */
#define LB_TAG_CONN        UINT32_C(0x4c424e0a) /* "LBN\n" */
#define LB_TAG_RESULT      UINT32_C(0x4c42520a) /* "LBR\n" */
#define LB_TAG_POOL_SET    UINT32_C(0x4c42530a) /* "LBS\n" */
#define LB_TAG_DEAD        UINT32_C(0xdeadbeef)

/* Every handle struct starts with `uint32_t tag;`. */
#define LB_HANDLE_OK(p, t)                                                     \
    ((p) != NULL && *(const uint32_t *)(const void *)(p) == (t))

#endif
