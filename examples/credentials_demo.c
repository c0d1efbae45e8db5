/* The whole credential flow against Lakebase (or the local emulator):
 * one provider, a fresh credential for every new connection, queries across
 * several token rotations, live stats. Configuration comes from the
 * environment (DATABRICKS_HOST, DATABRICKS_CLIENT_ID/SECRET,
 * LAKEBASE_ENDPOINT or LAKEBASE_INSTANCE, ...), exactly as for the CLI.
 *
 *   credentials_demo [seconds]     (default 20)
 *
 * Tokens are never printed: only a short fingerprint tells them apart. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "lakebase.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A non-reversible tag for a token (FNV-1a), to show rotations. */
static unsigned fingerprint(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h & 0xffffff;
}

static void on_log(void *userdata, int level, const char *message) {
    (void)userdata;
    fprintf(stderr, "  [%s] %s\n", level <= LAKEBASE_LOG_WARN ? "warn" : "info",
            message);
}

static int fail(const char *what, lakebase_error *err) {
    fprintf(stderr, "demo: %s: %s: %s\n", what,
            lakebase_strerror(lakebase_error_code(err)),
            lakebase_error_message(err));
    lakebase_error_free(err);
    return 1;
}

/* Logs in with the credential as the password and asks who we are. */
static int query_once(const lakebase_credential *cred, char *who, size_t cap) {
    char port[16];
    snprintf(port, sizeof port, "%d", lakebase_credential_port(cred));
    const char *keys[] = {"host",     "port",    "dbname",          "user",
                          "password", "sslmode", "connect_timeout", NULL};
    const char *vals[] = {lakebase_credential_host(cred),
                          port,
                          lakebase_credential_database(cred),
                          lakebase_credential_user(cred),
                          lakebase_credential_token(cred),
                          lakebase_credential_sslmode(cred),
                          "10",
                          NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    int ok = PQstatus(conn) == CONNECTION_OK;
    if (ok) {
        PGresult *res = PQexec(conn, "SELECT current_user");
        ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
        if (ok)
            snprintf(who, cap, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    if (!ok)
        fprintf(stderr, "demo: query failed: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return ok ? 0 : -1;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 20;
    setvbuf(stdout, NULL, _IOLBF, 0); /* interleave with log lines */
    lakebase_error *err = NULL;
    lakebase_config *cfg = NULL;
    lakebase_credentials *creds = NULL;
    if (lakebase_config_new(&cfg, &err) != 0)
        return fail("config", err);
    lakebase_config_set_logger(cfg, on_log, NULL, LAKEBASE_LOG_INFO, NULL);
    if (lakebase_credentials_new(&creds, cfg, &err) != 0)
        return fail("configuration", err);
    lakebase_config_free(cfg);
    if (lakebase_credentials_open(creds, &err) != 0)
        return fail("first mint", err);

    printf("liblakebase %s: querying for %d s, a new connection per query\n",
           lakebase_version(), seconds);
    int64_t end = now_ms() + (int64_t)seconds * 1000;
    unsigned last = 0;
    int rotations = 0, queries = 0, failures = 0;
    while (now_ms() < end) {
        lakebase_credential *cred = NULL;
        if (lakebase_credentials_get(creds, &cred, &err) != 0)
            return fail("get credential", err);
        unsigned fp = fingerprint(lakebase_credential_token(cred));
        if (last && fp != last)
            rotations++;
        last = fp;
        char who[256] = "";
        if (query_once(cred, who, sizeof who) == 0)
            queries++;
        else
            failures++;
        lakebase_credential_stats st = {.version =
                                            LAKEBASE_CREDENTIAL_STATS_VERSION};
        lakebase_credentials_stats(creds, &st, NULL);
        printf("  token #%06x  expires in %3" PRId64 " s  role %s  queries %d"
               "  rotations %d  mints %" PRIu64 "%s\n",
               fp, (lakebase_credential_expire_time_ms(cred) - now_ms()) / 1000,
               who, queries, rotations, st.mints_ok,
               st.degraded_since_unix_ms ? "  (degraded)" : "");
        lakebase_credential_free(cred);
        struct timespec pause = {1, 0};
        nanosleep(&pause, NULL);
    }
    lakebase_credentials_free(creds);
    printf("done: %d queries, %d failed, %d token rotations\n", queries,
           failures, rotations);
    return failures == 0 && queries > 0 ? 0 : 1;
}
