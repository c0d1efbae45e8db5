/* Typed access to a statement's result: the PGresult wrapped by the public
 * lakebase_result handle, with each accessor checking the column type, the
 * bounds and the text the server sent. */
#ifndef LB_RESULT_H
#define LB_RESULT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct lakebase_result {
    uint32_t tag; /* LB_TAG_RESULT while alive */
    PGresult *res;
};

/* Wraps `res` (ownership moves in; cleared on failure). NULL when out of
 * memory. */
struct lakebase_result *lb_result_wrap(PGresult *res);

/* Clears the PGresult and frees the handle. Accepts NULL. */
void lb_result_free(struct lakebase_result *r);

/* The value's text when (row, col) exists and is not NULL, else NULL. */
const char *lb_result_value(const PGresult *res, int row, int col);

/* Each returns 0, or LAKEBASE_EINVAL: no such cell, SQL NULL, a column of
 * another type, or text that does not parse / does not fit. */
int lb_result_int64(const PGresult *res, int row, int col, int64_t *out);
int lb_result_double(const PGresult *res, int row, int col, double *out);
int lb_result_bool(const PGresult *res, int row, int col, int *out);
int lb_result_timestamp_us(const PGresult *res, int row, int col, int64_t *out);
int lb_result_bytea(const PGresult *res, int row, int col, unsigned char **out,
                    size_t *len);

/* PQcmdTuples as a number, -1 when the command reports none. */
int64_t lb_result_rows_affected(const PGresult *res);

#endif
