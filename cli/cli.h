/* The lakebase command line tool: what its source files share. */
#ifndef LAKEBASE_CLI_H
#define LAKEBASE_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "lakebase.h"

/* Writes `s` as a JSON string literal (quotes included). Control characters
 * are escaped and invalid UTF-8 becomes U+FFFD, so any input gives valid
 * JSON. */
void cli_json_string(FILE *out, const char *s);

/* Writes `s` as one single-quoted POSIX shell word, safe for eval whatever
 * it holds. */
void cli_shell_word(FILE *out, const char *s);

/* Formats a Unix time in milliseconds as RFC 3339 UTC
 * ("2026-02-06T17:07:00Z"). Returns 0, or -1 when it does not fit. */
int cli_rfc3339(int64_t unix_ms, char *buf, size_t cap);

/* `lakebase token`: the token alone, or every field as one JSON object. */
void cli_print_token(FILE *out, const lakebase_credential *cred, int json);

/* `lakebase env`: export lines for PGHOST ... PGPASSWORD. */
void cli_print_env(FILE *out, const lakebase_credential *cred);

/* Puts the credential into the libpq environment variables of this
 * process. Returns 0, or -1 with errno set. */
int cli_export_pg_env(const lakebase_credential *cred);

/* Replaces the process with psql, passing `argv` (NULL-terminated, argv[0]
 * unused). Returns only on failure, with errno set. */
void cli_exec_psql(char **argv);

/* `lakebase doctor`: runs lakebase_diagnose on cfg and prints every step
 * (text, or one JSON object with --json). Returns the exit status: 0, or
 * exit_status_for(the code of the first failed step). */
int cli_doctor(FILE *out, const lakebase_config *cfg, int json,
               int (*exit_status_for)(int code));

#endif
