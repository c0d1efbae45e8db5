/* Every workspace API answer is hostile: the first byte picks a parser (an
 * ASCII digit in the seed corpus, so seeds stay readable), the rest is the
 * body. Beyond "no crash, no leak", each parser's contract is
 * checked: outputs set only on success, errors are EPROTOCOL, error-answer
 * fields are bounded printable ASCII. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_parse.h"
#include "lakebase.h"
#include "secret.h"
#include "fuzz_check.h"

/* A parser either succeeded with its required output set, or failed with an
 * EPROTOCOL error object and left the output NULL. */
static void check_outcome(int rc, lakebase_error *err, const char *out) {
    if (rc == 0) {
        CHECK(err == NULL && out != NULL && out[0] != '\0');
    } else {
        CHECK(rc == LAKEBASE_EPROTOCOL && out == NULL);
        CHECK(err != NULL && lakebase_error_code(err) == rc);
    }
    lakebase_error_free(err);
}

static void check_printable(const char *s, size_t cap) {
    size_t n = strnlen(s, cap);
    CHECK(n < cap);
    for (size_t i = 0; i < n; i++)
        CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static void fuzz_credential(lb_api_kind kind, const char *body, size_t len) {
    char *token = NULL;
    int64_t ns = 0;
    lakebase_error *err = NULL;
    int rc = lb_parse_credential(kind, body, len, &token, &ns, &err);
    check_outcome(rc, err, token);
    lb_secret_free(token);
}

static void fuzz_host_lookup(int which, const char *body, size_t len) {
    char *host = NULL, *state = NULL;
    lakebase_error *err = NULL;
    int rc = which == 0 ? lb_parse_endpoint(body, len, &host, &state, &err)
                        : lb_parse_instance(body, len, which == 2, &host,
                                            &state, &err);
    CHECK(rc == 0 || state == NULL);
    check_outcome(rc, err, host);
    free(host);
    free(state);
}

static void fuzz_api_error(const char *body, size_t len) {
    lb_api_error e;
    memset(&e, 0xff, sizeof e);
    lb_parse_api_error(body, len, &e);
    check_printable(e.error_code, sizeof e.error_code);
    check_printable(e.message, sizeof e.message);
    CHECK(e.retry_delay_ms >= -1);
}

/* The same bytes as a claims_json option: accepted only as an array. */
static void fuzz_claims(const char *body, size_t len) {
    char *claims = malloc(len + 1);
    if (!claims)
        return;
    memcpy(claims, body, len);
    claims[len] = '\0';
    free(lb_build_autoscaling_request("projects/p/branches/b/endpoints/e", 900,
                                      claims, "g"));
    free(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char *out = NULL;
    int64_t n = 0;
    lakebase_error *err = NULL;
    int rc;
    /* 0/1 credential (Autoscaling/Provisioned), 2 OIDC, 3 OAuth, 4 endpoint,
     * 5/6 instance (read-write/read-only), 7 SCIM, 8 error answer, 9 claims */
    unsigned which = (unsigned)(data[0] - '0') % 10u;
    switch (which) {
    case 0: fuzz_credential(LB_API_AUTOSCALING, body, len); break;
    case 1: fuzz_credential(LB_API_PROVISIONED, body, len); break;
    case 2:
        rc = lb_parse_oidc_discovery(body, len, &out, &err);
        check_outcome(rc, err, out);
        free(out);
        break;
    case 3:
        rc = lb_parse_oauth_token(body, len, &out, &n, &err);
        CHECK(rc != 0 || (n >= 0 && n <= INT32_MAX));
        check_outcome(rc, err, out);
        lb_secret_free(out);
        break;
    case 4:
    case 5:
    case 6: fuzz_host_lookup((int)which - 4, body, len); break;
    case 7:
        rc = lb_parse_scim_me(body, len, &out, &err);
        check_outcome(rc, err, out);
        free(out);
        break;
    case 8: fuzz_api_error(body, len); break;
    default: fuzz_claims(body, len); break;
    }
    return 0;
}
