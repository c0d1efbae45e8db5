/* The emulator's control API (/emulator/...), over HTTPS with its CA. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "runner.h"

/* Control answers are small; anything bigger is a broken emulator. */
#define MAX_ANSWER (1024 * 1024)

typedef struct answer {
    char *data;
    size_t len;
} answer;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata) {
    answer *a = userdata;
    size_t n = size * nmemb;

    if (a->len + n > MAX_ANSWER)
        return 0;
    char *grown = realloc(a->data, a->len + n + 1);
    if (grown == NULL)
        return 0;
    a->data = grown;
    memcpy(a->data + a->len, ptr, n);
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

/* Sends one request; on success `a` holds the body of a 2xx answer. */
static int request(const rn_env *env, const char *path, const char *post_body,
                   answer *a, rn_why *why) {
    const char *base = rn_env_get(env, "EMULATOR_URL");
    const char *ca = rn_env_get(env, "LAKEBASE_CA_FILE");
    char url[1024];
    long status = 0;
    struct curl_slist *headers = NULL;
    CURLcode rc;

    if (base == NULL)
        return rn_fail(why, "EMULATOR_URL is not in the environment file");
    snprintf(url, sizeof url, "%s%s", base, path);

    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return rn_fail(why, "curl_easy_init failed");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
    if (ca != NULL)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    if (post_body != NULL) {
        headers = curl_slist_append(NULL, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body);
    }
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);

    if (rc != CURLE_OK)
        return rn_fail(why, "emulator %s: %s", path, curl_easy_strerror(rc));
    if (status < 200 || status > 299)
        return rn_fail(why, "emulator %s answered HTTP %ld: %.300s", path,
                       status, a->data ? a->data : "");
    return 0;
}

int rn_emulator_post(const rn_env *env, const char *path, const char *body,
                     rn_why *why) {
    answer a = {0};
    /* No body at all when there is nothing to say: the emulator's
     * body-less routes do not read one, and an unread HTTP/2 request body
     * ends in a stream reset that curl reports as an error. */
    int rc = request(env, path, body ? body : "", &a, why);

    free(a.data);
    return rc;
}

cJSON *rn_emulator_get_json(const rn_env *env, const char *path, rn_why *why) {
    answer a = {0};
    cJSON *json = NULL;

    if (request(env, path, NULL, &a, why) == 0) {
        json = cJSON_Parse(a.data ? a.data : "");
        if (json == NULL)
            rn_fail(why, "emulator %s: the answer is not JSON", path);
    }
    free(a.data);
    return json;
}
