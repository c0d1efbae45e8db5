#include "result.h"

#include <stdlib.h>

#include "handle.h"
#include "lakebase.h"
#include "pg_text.h"

struct lakebase_result *lb_result_wrap(PGresult *res) {
    struct lakebase_result *r = malloc(sizeof *r);
    if (!r) {
        PQclear(res);
        return NULL;
    }
    r->tag = LB_TAG_RESULT;
    r->res = res;
    return r;
}

void lb_result_free(struct lakebase_result *r) {
    if (!r)
        return;
    r->tag = LB_TAG_DEAD;
    PQclear(r->res);
    free(r);
}

const char *lb_result_value(const PGresult *res, int row, int col) {
    if (!res || row < 0 || col < 0 || row >= PQntuples(res) ||
        col >= PQnfields(res) || PQgetisnull(res, row, col))
        return NULL;
    return PQgetvalue(res, row, col);
}

static int is_integer_type(Oid t) {
    return t == LAKEBASE_TYPE_INT2 || t == LAKEBASE_TYPE_INT4 ||
           t == LAKEBASE_TYPE_INT8 || t == LAKEBASE_TYPE_OID;
}

/* The cell's text if it exists, is not NULL and its column passes `ok`. */
static const char *typed_value(const PGresult *res, int row, int col,
                               int (*ok)(Oid)) {
    const char *v = lb_result_value(res, row, col);
    return v && ok(PQftype(res, col)) ? v : NULL;
}

int lb_result_int64(const PGresult *res, int row, int col, int64_t *out) {
    const char *v = typed_value(res, row, col, is_integer_type);
    return v && out && lb_pg_parse_int64(v, out) == 0 ? 0 : LAKEBASE_EINVAL;
}

static int is_number_type(Oid t) {
    return is_integer_type(t) || t == LAKEBASE_TYPE_FLOAT4 ||
           t == LAKEBASE_TYPE_FLOAT8 || t == LAKEBASE_TYPE_NUMERIC;
}

int lb_result_double(const PGresult *res, int row, int col, double *out) {
    const char *v = typed_value(res, row, col, is_number_type);
    return v && out && lb_pg_parse_double(v, out) == 0 ? 0 : LAKEBASE_EINVAL;
}

static int is_bool_type(Oid t) { return t == LAKEBASE_TYPE_BOOL; }

int lb_result_bool(const PGresult *res, int row, int col, int *out) {
    const char *v = typed_value(res, row, col, is_bool_type);
    return v && out && lb_pg_parse_bool(v, out) == 0 ? 0 : LAKEBASE_EINVAL;
}

static int is_time_type(Oid t) {
    return t == LAKEBASE_TYPE_DATE || t == LAKEBASE_TYPE_TIMESTAMP ||
           t == LAKEBASE_TYPE_TIMESTAMPTZ;
}

int lb_result_timestamp_us(const PGresult *res, int row, int col,
                           int64_t *out) {
    const char *v = typed_value(res, row, col, is_time_type);
    return v && out && lb_pg_parse_timestamp_us(v, out) == 0 ? 0
                                                             : LAKEBASE_EINVAL;
}

static int is_bytea_type(Oid t) { return t == LAKEBASE_TYPE_BYTEA; }

int lb_result_bytea(const PGresult *res, int row, int col, unsigned char **out,
                    size_t *len) {
    if (!out || !len)
        return LAKEBASE_EINVAL;
    *out = NULL;
    *len = 0;
    const char *v = typed_value(res, row, col, is_bytea_type);
    if (!v)
        return LAKEBASE_EINVAL;
    int n = PQgetlength(res, row, col);
    return lb_pg_parse_bytea_hex(v, (size_t)n, out, len) == 0 ? 0
                                                              : LAKEBASE_EINVAL;
}

int64_t lb_result_rows_affected(const PGresult *res) {
    const char *n = res ? PQcmdTuples((PGresult *)res) : "";
    int64_t v;
    return n[0] && lb_pg_parse_int64(n, &v) == 0 ? v : -1;
}
