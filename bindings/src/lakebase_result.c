/* Public glue for results: handle checks around core/result.c. */
#include "lakebase.h"

#include <stdlib.h>

#include "handle.h"
#include "result.h"

#define RES(r) (LB_HANDLE_OK(r, LB_TAG_RESULT) ? (r)->res : NULL)

int lakebase_result_rows(const lakebase_result *res) {
    return RES(res) ? PQntuples(RES(res)) : 0;
}

int lakebase_result_columns(const lakebase_result *res) {
    return RES(res) ? PQnfields(RES(res)) : 0;
}

const char *lakebase_result_column_name(const lakebase_result *res, int col) {
    return RES(res) ? PQfname(RES(res), col) : NULL;
}

uint32_t lakebase_result_column_type(const lakebase_result *res, int col) {
    return RES(res) ? (uint32_t)PQftype(RES(res), col) : 0;
}

const char *lakebase_result_command(const lakebase_result *res) {
    return RES(res) ? PQcmdStatus(RES(res)) : NULL;
}

int64_t lakebase_result_rows_affected(const lakebase_result *res) {
    return lb_result_rows_affected(RES(res));
}

int lakebase_result_is_null(const lakebase_result *res, int row, int col) {
    return lb_result_value(RES(res), row, col) == NULL;
}

const char *lakebase_result_text(const lakebase_result *res, int row, int col,
                                 size_t *len) {
    const char *v = lb_result_value(RES(res), row, col);
    if (len)
        *len = v ? (size_t)PQgetlength(RES(res), row, col) : 0;
    return v;
}

int lakebase_result_int64(const lakebase_result *res, int row, int col,
                          int64_t *out) {
    return lb_result_int64(RES(res), row, col, out);
}

int lakebase_result_double(const lakebase_result *res, int row, int col,
                           double *out) {
    return lb_result_double(RES(res), row, col, out);
}

int lakebase_result_bool(const lakebase_result *res, int row, int col,
                         int *out) {
    return lb_result_bool(RES(res), row, col, out);
}

int lakebase_result_timestamp_us(const lakebase_result *res, int row, int col,
                                 int64_t *out) {
    return lb_result_timestamp_us(RES(res), row, col, out);
}

int lakebase_result_bytea(const lakebase_result *res, int row, int col,
                          unsigned char **out, size_t *len) {
    return lb_result_bytea(RES(res), row, col, out, len);
}

void lakebase_result_free(lakebase_result *res) {
    if (LB_HANDLE_OK(res, LB_TAG_RESULT))
        lb_result_free(res);
}

void lakebase_free(void *p) { free(p); }
