/* What `token`, `env` and `psql` hand on: one credential in three shapes. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

void cli_print_token(FILE *out, const lakebase_credential *cred, int json) {
    char expires[40];

    if (!json) {
        fprintf(out, "%s\n", lakebase_credential_token(cred));
        return;
    }
    fputs("{\"token\":", out);
    cli_json_string(out, lakebase_credential_token(cred));
    fputs(",\"expire_time\":", out);
    if (cli_rfc3339(lakebase_credential_expire_time_ms(cred), expires,
                    sizeof expires) == 0)
        cli_json_string(out, expires);
    else
        fputs("null", out);
    fputs(",\"user\":", out);
    cli_json_string(out, lakebase_credential_user(cred));
    fputs(",\"host\":", out);
    cli_json_string(out, lakebase_credential_host(cred));
    fprintf(out, ",\"port\":%d", lakebase_credential_port(cred));
    fputs(",\"database\":", out);
    cli_json_string(out, lakebase_credential_database(cred));
    fputs(",\"sslmode\":", out);
    cli_json_string(out, lakebase_credential_sslmode(cred));
    fputs("}\n", out);
}

/* The libpq variables in the order they are printed and exported. */
typedef struct pg_var {
    const char *name;
    char value[32]; /* for the port, the only non-string field */
    const char *text;
} pg_var;

enum { PG_VAR_COUNT = 6 };

static void pg_vars(const lakebase_credential *cred,
                    pg_var vars[PG_VAR_COUNT]) {
    vars[0] =
        (pg_var){.name = "PGHOST", .text = lakebase_credential_host(cred)};
    vars[1] = (pg_var){.name = "PGPORT"};
    snprintf(vars[1].value, sizeof vars[1].value, "%d",
             lakebase_credential_port(cred));
    vars[1].text = vars[1].value;
    vars[2] = (pg_var){.name = "PGDATABASE",
                       .text = lakebase_credential_database(cred)};
    vars[3] =
        (pg_var){.name = "PGUSER", .text = lakebase_credential_user(cred)};
    vars[4] = (pg_var){.name = "PGSSLMODE",
                       .text = lakebase_credential_sslmode(cred)};
    vars[5] =
        (pg_var){.name = "PGPASSWORD", .text = lakebase_credential_token(cred)};
}

void cli_print_env(FILE *out, const lakebase_credential *cred) {
    pg_var vars[PG_VAR_COUNT];

    pg_vars(cred, vars);
    for (int i = 0; i < PG_VAR_COUNT; i++) {
        fprintf(out, "export %s=", vars[i].name);
        cli_shell_word(out, vars[i].text);
        fputc('\n', out);
    }
}

int cli_export_pg_env(const lakebase_credential *cred) {
    pg_var vars[PG_VAR_COUNT];

    pg_vars(cred, vars);
    for (int i = 0; i < PG_VAR_COUNT; i++)
        if (setenv(vars[i].name, vars[i].text, 1) != 0)
            return -1;
    return 0;
}

void cli_exec_psql(char **argv) {
    argv[0] = "psql";
    execvp("psql", argv);
}
