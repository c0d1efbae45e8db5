/* Public accessors for error objects, versions and code descriptions. */
#include "lakebase.h"

#include "error.h"

#define LB_STR2(x) #x
#define LB_STR(x)  LB_STR2(x)

const char *lakebase_version(void) {
    return LB_STR(LAKEBASE_VERSION_MAJOR) "." LB_STR(
        LAKEBASE_VERSION_MINOR) "." LB_STR(LAKEBASE_VERSION_PATCH);
}

int lakebase_version_number(void) { return LAKEBASE_VERSION_NUMBER; }

const char *lakebase_strerror(int code) {
    switch (code) {
    case LAKEBASE_OK: return "success";
    case LAKEBASE_EINVAL: return "invalid argument";
    case LAKEBASE_ENOMEM: return "out of memory";
    case LAKEBASE_ECONFIG: return "configuration error";
    case LAKEBASE_EAUTH: return "workspace authentication failed";
    case LAKEBASE_EPERM: return "permission denied";
    case LAKEBASE_ENOTFOUND: return "not found";
    case LAKEBASE_EAPI: return "request rejected by the API";
    case LAKEBASE_ENETWORK: return "network error";
    case LAKEBASE_ESERVER: return "server unavailable";
    case LAKEBASE_ETIMEOUT: return "timed out";
    case LAKEBASE_EPROTOCOL: return "malformed response";
    case LAKEBASE_ECLOSED: return "closed";
    case LAKEBASE_EHANDLE: return "invalid handle";
    case LAKEBASE_ECALLBACK: return "token source callback failed";
    case LAKEBASE_ERANGE: return "buffer too small";
    case LAKEBASE_EINTERNAL: return "internal error";
    case LAKEBASE_ELOGIN: return "login refused";
    case LAKEBASE_ESQL: return "SQL error";
    case LAKEBASE_ECONNECTION: return "connection failed";
    case LAKEBASE_ECANCELED: return "statement cancelled";
    default: return "unknown error";
    }
}

int lakebase_error_code(const lakebase_error *err) {
    return err ? err->code : LAKEBASE_EINVAL;
}

const char *lakebase_error_message(const lakebase_error *err) {
    return err && err->message ? err->message : "";
}

int lakebase_error_http_status(const lakebase_error *err) {
    return err ? err->http_status : 0;
}

const char *lakebase_error_api_code(const lakebase_error *err) {
    return err && err->api_code ? err->api_code : "";
}

const char *lakebase_error_sqlstate(const lakebase_error *err) {
    return err && err->sqlstate ? err->sqlstate : "";
}

void lakebase_error_free(lakebase_error *err) { lb_err_destroy(err); }
