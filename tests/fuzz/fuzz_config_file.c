/* The Databricks config file is read from disk and may be anything. The
 * first byte chooses how the profile is picked: odd means a name follows (up
 * to the first '\n', at most 32 bytes), even means the default choice
 * ([__settings__] default_profile, else [DEFAULT]). The rest is the file.
 * Beyond "no crash, no leak": a result is either a profile or an error object
 * carrying the same code, never both. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_check.h"

static void check_value(const char *v) {
    /* Values are one trimmed line: never empty, never spanning lines. */
    if (v)
        CHECK(v[0] != '\0' && !strchr(v, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char name[33];
    const char *wanted = NULL;
    if (data[0] & 1) {
        const char *nl = memchr(text, '\n', len < 32 ? len : 32);
        size_t n = nl ? (size_t)(nl - text) : (len < 32 ? len : 32);
        memcpy(name, text, n);
        name[n] = '\0';
        wanted = name;
        text += n + (nl != NULL);
        len -= n + (nl != NULL);
    }
    lb_profile p;
    lakebase_error *err = NULL;
    int rc = lb_profile_parse(text, len, wanted, "fuzz.cfg", &p, &err);
    if (rc == 0) {
        CHECK(err == NULL);
        if (wanted && p.name)
            CHECK(strcmp(p.name, wanted) == 0);
        CHECK(wanted == NULL || p.name != NULL);
        check_value(p.host);
        check_value(p.token);
        check_value(p.client_id);
        check_value(p.client_secret);
        check_value(p.auth_type);
    } else {
        CHECK(rc == LAKEBASE_ECONFIG || rc == LAKEBASE_ENOTFOUND ||
              rc == LAKEBASE_ENOMEM);
        CHECK(err != NULL && lakebase_error_code(err) == rc);
        CHECK(!p.name && !p.host && !p.token && !p.client_id &&
              !p.client_secret && !p.auth_type);
    }
    lb_profile_clear(&p);
    lakebase_error_free(err);
    return 0;
}
