/* lakebase: mint a Lakebase database credential and hand it to a person,
 * a shell or psql. Arguments, configuration, exit codes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static const char USAGE[] =
    "Usage: lakebase [options] <command>\n"
    "\n"
    "Mints a Databricks Lakebase database credential (a short-lived Postgres\n"
    "password) for the configured identity.\n"
    "\n"
    "Commands:\n"
    "  token [--json]      print the credential (--json: with expire_time, "
    "user,\n"
    "                      host, port, database and sslmode)\n"
    "  env                 print export lines for PGHOST, PGPORT, PGDATABASE,\n"
    "                      PGUSER, PGSSLMODE and PGPASSWORD: eval \"$(lakebase "
    "env)\"\n"
    "  psql [-- ARGS...]   run psql logged in with a fresh credential\n"
    "  doctor [--json]     check every step from the settings to SELECT 1\n"
    "                      and name the cause and the fix of what fails\n"
    "\n"
    "Options (they win over the environment and the profile):\n"
    "  --host HOST         workspace URL              (DATABRICKS_HOST)\n"
    "  --endpoint NAME     projects/P/branches/B/endpoints/E, Autoscaling\n"
    "                                                 (LAKEBASE_ENDPOINT)\n"
    "  --instance NAME     Provisioned instance name  (LAKEBASE_INSTANCE)\n"
    "  --profile NAME      ~/.databrickscfg profile   "
    "(DATABRICKS_CONFIG_PROFILE)\n"
    "  --user ROLE         Postgres role; default: the identity's own\n"
    "                                                 (PGUSER)\n"
    "  -v, --verbose       log library warnings to stderr (-vv: more)\n"
    "  -h, --help          show this help\n"
    "  --version           show the version\n"
    "\n"
    "Workspace authentication comes from the environment (DATABRICKS_TOKEN, "
    "or\n"
    "DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET) or the profile.\n"
    "\n"
    "Exit status:\n"
    "  0   success\n"
    "  64  usage error\n"
    "  69  network, server or API error; endpoint or instance not found;\n"
    "      (doctor) PostgreSQL unreachable or a query failed;\n"
    "      psql not installed\n"
    "  70  internal error\n"
    "  74  the output could not be written\n"
    "  77  authentication or permission refused (doctor: login too)\n"
    "  78  configuration invalid or incomplete\n";

enum command { CMD_NONE, CMD_TOKEN, CMD_ENV, CMD_PSQL, CMD_DOCTOR };

/* Options that map one-to-one onto configuration keys. */
enum {
    FLAG_HOST,
    FLAG_ENDPOINT,
    FLAG_INSTANCE,
    FLAG_PROFILE,
    FLAG_USER,
    CONFIG_FLAG_COUNT
};
static const struct {
    const char *flag;
    const char *key;
} CONFIG_FLAGS[CONFIG_FLAG_COUNT] = {
    [FLAG_HOST] = {"--host", "workspace.host"},
    [FLAG_ENDPOINT] = {"--endpoint", "lakebase.endpoint"},
    [FLAG_INSTANCE] = {"--instance", "lakebase.instance"},
    [FLAG_PROFILE] = {"--profile", "auth.profile"},
    [FLAG_USER] = {"--user", "pg.user"},
};

typedef struct options {
    enum command cmd;
    int json;
    int verbosity;
    const char *values[CONFIG_FLAG_COUNT];
    char **psql_argv; /* argv slot before the psql arguments, or NULL */
} options;

static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "lakebase: %s%s%s (see lakebase --help)\n", what,
            arg ? " " : "", arg ? arg : "");
    return EX_USAGE;
}

/* Matches "--flag VALUE" or "--flag=VALUE" at argv[*i]. Returns 1 and sets
 * *value on a match (advancing *i past a separate value), 0 when argv[*i]
 * is not this flag, -1 when the value is missing. */
static int match_flag(char **argv, int argc, int *i, const char *flag,
                      const char **value) {
    size_t n = strlen(flag);

    if (strncmp(argv[*i], flag, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

static enum command parse_command(const char *word) {
    if (strcmp(word, "token") == 0)
        return CMD_TOKEN;
    if (strcmp(word, "env") == 0)
        return CMD_ENV;
    if (strcmp(word, "psql") == 0)
        return CMD_PSQL;
    if (strcmp(word, "doctor") == 0)
        return CMD_DOCTOR;
    return CMD_NONE;
}

/* Returns -1 when parsing succeeded, else the exit status to end with. */
static int parse_args(int argc, char **argv, options *opt) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int matched = 0;

        if (strcmp(a, "--") == 0) {
            if (opt->cmd != CMD_PSQL)
                return usage_error("'--' only comes after psql", NULL);
            opt->psql_argv = &argv[i];
            return -1;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(USAGE, stdout);
            return EX_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("lakebase %s\n", lakebase_version());
            return EX_OK;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            opt->verbosity++;
            continue;
        }
        if (strcmp(a, "-vv") == 0) {
            opt->verbosity += 2;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            opt->json = 1;
            continue;
        }
        for (int f = 0; f < CONFIG_FLAG_COUNT && !matched; f++) {
            matched = match_flag(argv, argc, &i, CONFIG_FLAGS[f].flag,
                                 &opt->values[f]);
            if (matched < 0)
                return usage_error("missing value after", CONFIG_FLAGS[f].flag);
        }
        if (matched)
            continue;
        if (opt->cmd == CMD_PSQL)
            return usage_error("psql arguments go after '--':", a);
        if (a[0] == '-')
            return usage_error("unknown option", a);
        if (opt->cmd != CMD_NONE)
            return usage_error("unexpected argument", a);
        opt->cmd = parse_command(a);
        if (opt->cmd == CMD_NONE)
            return usage_error("unknown command", a);
    }
    if (opt->cmd == CMD_NONE)
        return usage_error("missing command: token, env, psql or doctor", NULL);
    if (opt->json && opt->cmd != CMD_TOKEN && opt->cmd != CMD_DOCTOR)
        return usage_error("--json only applies to", "token and doctor");
    return -1;
}

static int exit_status_for(int code) {
    switch (code) {
    case LAKEBASE_ECONFIG: return EX_CONFIG;
    case LAKEBASE_EAUTH:
    case LAKEBASE_EPERM:
    case LAKEBASE_ELOGIN:
    case LAKEBASE_ECALLBACK: return EX_NOPERM;
    case LAKEBASE_ENETWORK:
    case LAKEBASE_ESERVER:
    case LAKEBASE_ETIMEOUT:
    case LAKEBASE_EPROTOCOL:
    case LAKEBASE_ENOTFOUND:
    case LAKEBASE_ECONNECTION:
    case LAKEBASE_ESQL:
    case LAKEBASE_EAPI: return EX_UNAVAILABLE;
    default: return EX_SOFTWARE;
    }
}

/* Reports a library failure as one line and returns the exit status. */
static int fail(int code, lakebase_error *err) {
    const char *message = err ? lakebase_error_message(err) : "";

    if (message[0] != '\0')
        fprintf(stderr, "lakebase: %s: %s\n", lakebase_strerror(code), message);
    else
        fprintf(stderr, "lakebase: %s\n", lakebase_strerror(code));
    lakebase_error_free(err);
    return exit_status_for(code);
}

static const char *level_name(int level) {
    switch (level) {
    case LAKEBASE_LOG_ERROR: return "error";
    case LAKEBASE_LOG_WARN: return "warning";
    case LAKEBASE_LOG_INFO: return "info";
    default: return "debug";
    }
}

/* May run on the library's refresh thread; stdio locks the stream. */
static void log_to_stderr(void *userdata, int level, const char *message) {
    (void)userdata;
    fprintf(stderr, "lakebase: %s: %s\n", level_name(level), message);
}

static int build_config(const options *opt, lakebase_config **out,
                        lakebase_error **err) {
    lakebase_config *cfg = NULL;
    int rc = lakebase_config_new(&cfg, err);

    for (int f = 0; rc == 0 && f < CONFIG_FLAG_COUNT; f++)
        if (opt->values[f] != NULL)
            rc = lakebase_config_set(cfg, CONFIG_FLAGS[f].key, opt->values[f],
                                     err);
    if (rc == 0 && opt->verbosity > 0) {
        int level = opt->verbosity == 1   ? LAKEBASE_LOG_WARN
                    : opt->verbosity == 2 ? LAKEBASE_LOG_INFO
                                          : LAKEBASE_LOG_DEBUG;
        rc = lakebase_config_set_logger(cfg, log_to_stderr, NULL, level, err);
    }
    if (rc != 0) {
        lakebase_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

static int mint(const options *opt, lakebase_credential **out,
                lakebase_error **err) {
    lakebase_config *cfg = NULL;
    lakebase_credentials *creds = NULL;
    int rc = build_config(opt, &cfg, err);

    if (rc == 0)
        rc = lakebase_credentials_new(&creds, cfg, err);
    if (rc == 0)
        rc = lakebase_credentials_get(creds, out, err);
    lakebase_credentials_free(creds);
    lakebase_config_free(cfg);
    return rc;
}

static int finish_output(void) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lakebase: cannot write the output: %s\n",
                strerror(errno));
        return EX_IOERR;
    }
    return EX_OK;
}

static int run_psql(options *opt, lakebase_credential *cred) {
    char *no_args[2] = {NULL, NULL};
    char **argv = opt->psql_argv ? opt->psql_argv : no_args;

    if (cli_export_pg_env(cred) != 0) {
        fprintf(stderr, "lakebase: cannot set the environment: %s\n",
                strerror(errno));
        return EX_OSERR;
    }
    /* The token now lives only in the environment psql inherits. */
    lakebase_credential_free(cred);
    cli_exec_psql(argv);
    if (errno == ENOENT)
        fprintf(stderr, "lakebase: psql not found on PATH: install the "
                        "PostgreSQL client (e.g. apt-get install "
                        "postgresql-client, brew install libpq)\n");
    else
        fprintf(stderr, "lakebase: cannot run psql: %s\n", strerror(errno));
    return EX_UNAVAILABLE;
}

static int doctor(const options *opt) {
    lakebase_config *cfg = NULL;
    lakebase_error *err = NULL;
    int rc = build_config(opt, &cfg, &err);
    if (rc != 0)
        return fail(rc, err);
    int status = cli_doctor(stdout, cfg, opt->json, exit_status_for);
    lakebase_config_free(cfg);
    int written = finish_output();
    return status ? status : written;
}

int main(int argc, char **argv) {
    options opt = {0};
    lakebase_credential *cred = NULL;
    lakebase_error *err = NULL;
    int status = parse_args(argc, argv, &opt);
    int rc;

    if (status >= 0)
        return status;
    if (opt.cmd == CMD_DOCTOR)
        return doctor(&opt);
    rc = mint(&opt, &cred, &err);
    if (rc != 0)
        return fail(rc, err);

    switch (opt.cmd) {
    case CMD_TOKEN: cli_print_token(stdout, cred, opt.json); break;
    case CMD_ENV: cli_print_env(stdout, cred); break;
    case CMD_PSQL: return run_psql(&opt, cred);
    case CMD_DOCTOR:
    case CMD_NONE: break;
    }
    lakebase_credential_free(cred);
    return finish_output();
}
