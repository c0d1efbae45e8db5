/* `lakebase doctor`: prints the core's diagnosis, one step at a time, as
 * text or one JSON object. Every word of the findings is the core's. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

typedef struct doctor_output {
    FILE *out;
    int json;
    int steps;
    int failed;
} doctor_output;

static void print_text(doctor_output *o, const lakebase_diagnosis_step *s) {
    const char *verdict = lakebase_verdict_name(s->verdict);
    char upper[8];
    size_t i = 0;
    for (; verdict[i] && i < sizeof upper - 1; i++)
        upper[i] = (char)(verdict[i] - 'a' + 'A');
    upper[i] = '\0';
    fprintf(o->out, "%-5s %-28s %6" PRId64 " ms  ",
            s->verdict == LAKEBASE_VERDICT_OK ? "ok" : upper, s->name,
            s->duration_us / 1000);
    /* Continuation lines line up under the first. */
    for (const char *p = s->detail; *p; p++) {
        fputc(*p, o->out);
        if (*p == '\n')
            fprintf(o->out, "%45s", "");
    }
    fputc('\n', o->out);
    if (s->fix[0] && s->verdict != LAKEBASE_VERDICT_OK)
        fprintf(o->out, "%45sfix: %s\n", "", s->fix);
}

static void print_json(doctor_output *o, const lakebase_diagnosis_step *s) {
    fputs(o->steps ? ",\n    {" : "\n    {", o->out);
    fputs("\"name\": ", o->out);
    cli_json_string(o->out, s->name);
    fputs(", \"verdict\": ", o->out);
    cli_json_string(o->out, lakebase_verdict_name(s->verdict));
    fprintf(o->out, ", \"duration_ms\": %.3f", (double)s->duration_us / 1000);
    fputs(", \"detail\": ", o->out);
    cli_json_string(o->out, s->detail);
    fputs(", \"fix\": ", o->out);
    cli_json_string(o->out, s->fix);
    fputs(", \"error\": ", o->out);
    cli_json_string(o->out, s->code ? lakebase_error_name(s->code) : "");
    fputc('}', o->out);
}

static void on_step(void *userdata, const lakebase_diagnosis_step *s) {
    doctor_output *o = userdata;
    if (o->json)
        print_json(o, s);
    else
        print_text(o, s);
    o->steps++;
    o->failed += s->verdict == LAKEBASE_VERDICT_FAIL;
    fflush(o->out);
}

int cli_doctor(FILE *out, const lakebase_config *cfg, int json,
               int (*exit_status_for)(int code)) {
    doctor_output o = {.out = out, .json = json};
    lakebase_error *err = NULL;
    if (json)
        fputs("{\"steps\": [", out);
    int code = lakebase_diagnose(cfg, on_step, &o, &err);
    int status = code ? exit_status_for(code) : 0;
    if (json) {
        fprintf(out, "\n  ],\n  \"ok\": %s, \"failed\": %d, \"exit_code\": %d",
                code ? "false" : "true", o.failed, status);
        fputs(", \"error\": ", out);
        cli_json_string(out, code ? lakebase_error_name(code) : "");
        fputs(", \"message\": ", out);
        cli_json_string(out, err ? lakebase_error_message(err) : "");
        fputs("}\n", out);
    } else if (code) {
        fprintf(stderr, "lakebase doctor: %d step%s failed; the first: %s\n",
                o.failed, o.failed == 1 ? "" : "s",
                lakebase_error_message(err));
    } else {
        fprintf(out, "all %d checks passed\n", o.steps);
    }
    lakebase_error_free(err);
    return status;
}
