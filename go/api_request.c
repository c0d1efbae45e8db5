// Code generated from core/api_request.c by scripts/go-sources.cmake; DO NOT EDIT.
// Regenerate with `make go-sources`; edit the original instead.

//go:build !lakebase_system && cgo

/* Request bodies for the credential APIs, and the request ids they carry. */
#include "api_parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>

/* Claims go in as JSON, not as a string holding JSON: the API reads
 * "claims": [...]. Fails (false) when claims_json is not a JSON array. */
static bool add_claims(cJSON *obj, const char *claims_json) {
    if (!claims_json)
        return true;
    cJSON *claims = lb_json_parse_exact(claims_json, strlen(claims_json));
    if (cJSON_IsArray(claims) && cJSON_AddItemToObject(obj, "claims", claims))
        return true;
    cJSON_Delete(claims);
    return false;
}

static char *print_and_free(cJSON *obj, bool ok) {
    char *out = ok ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    return out;
}

char *lb_build_autoscaling_request(const char *endpoint, int ttl_seconds,
                                   const char *claims_json,
                                   const char *group_name) {
    if (!endpoint)
        return NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    bool ok = cJSON_AddStringToObject(obj, "endpoint", endpoint) != NULL;
    if (ok && ttl_seconds > 0) {
        /* protobuf-JSON Duration: whole seconds with an "s" suffix. */
        char ttl[32];
        snprintf(ttl, sizeof ttl, "%ds", ttl_seconds);
        ok = cJSON_AddStringToObject(obj, "ttl", ttl) != NULL;
    }
    ok = ok && add_claims(obj, claims_json);
    if (ok && group_name)
        ok = cJSON_AddStringToObject(obj, "group_name", group_name) != NULL;
    return print_and_free(obj, ok);
}

char *lb_build_provisioned_request(const char *instance,
                                   const char *claims_json,
                                   const char *request_id) {
    if (!instance)
        return NULL;
    char fresh_id[37];
    if (!request_id) {
        if (lb_uuid4(fresh_id) != 0)
            return NULL;
        request_id = fresh_id;
    }
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    const char *names[] = {instance};
    cJSON *list = cJSON_CreateStringArray(names, 1);
    bool ok = list && cJSON_AddItemToObject(obj, "instance_names", list);
    if (list && !ok)
        cJSON_Delete(list);
    ok = ok && cJSON_AddStringToObject(obj, "request_id", request_id) != NULL;
    ok = ok && add_claims(obj, claims_json);
    return print_and_free(obj, ok);
}

int lb_uuid4(char out[37]) {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return 0;
}
