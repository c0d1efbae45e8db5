package io.lakebase.conformance;

import static io.lakebase.conformance.ConformanceRunner.checkKeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseConnection;
import io.lakebase.LakebaseCredential;
import io.lakebase.LakebaseCredentialStats;
import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseException;
import io.lakebase.LakebaseResult;
import io.lakebase.conformance.ConformanceRunner.StepException;
import io.lakebase.testing.Together;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/** The state and steps of one scenario (pool steps live in {@link ScenarioPools}). */
final class Scenario implements AutoCloseable {
    static final int MAX_THREADS = 1000;

    final ConformanceRunner r;
    private final Map<String, ProviderSlot> providers = new HashMap<>();
    private final Map<String, char[]> saved = new HashMap<>();
    final ScenarioPools pools = new ScenarioPools(this);

    private static final class ProviderSlot {
        LakebaseCredentials creds; // null once freed
        LakebaseCredential latest;
    }

    /** The outcome of one call: an exception or a credential (get), or neither (success). */
    record Outcome(RuntimeException error, LakebaseCredential cred) {}

    Scenario(ConformanceRunner r) {
        this.r = r;
    }

    /** Frees every pool, provider handle and credential, so no cache survives the scenario. */
    @Override
    public void close() {
        pools.clear();
        for (ProviderSlot p : providers.values()) {
            if (p.creds != null) {
                p.creds.close();
            }
        }
    }

    void runStep(JsonNode step) throws StepException, IOException {
        String op = step.path("op").asText("");
        String keys;
        switch (op) {
            case "reset": keys = ""; break;
            case "knobs": keys = "knobs"; break;
            case "provider": keys = "id,config,expect"; break;
            case "get": keys = "provider,threads,expect,save_token,same_token_across_threads"; break;
            case "open": keys = "provider,threads,expect"; break;
            case "invalidate": keys = "provider,token,expect"; break;
            case "free": keys = "provider"; break;
            case "login": keys = "provider,host,port,user,password,database,sslmode,expect"; break;
            case "sleep": keys = "ms"; break;
            case "stats": keys = "emulator,provider,pool"; break;
            case "wait_for": keys = "emulator,provider,pool,timeout_ms"; break;
            case "emulator_kill_connections":
            case "emulator_restart_postgres": keys = ""; break;
            default:
                keys = ScenarioPools.keysOf(op);
                if (keys == null) {
                    throw new StepException("unknown op \"" + (op.isEmpty() ? "(none)" : op) + "\"");
                }
        }
        checkKeys(step, keys.isEmpty() ? "op,comment" : "op,comment," + keys, "the step");
        switch (op) {
            case "reset": r.emulator.reset(); break;
            case "knobs": postKnobs(step.get("knobs")); break;
            case "provider": opProvider(step); break;
            case "get": getOrOpen(step, false); break;
            case "open": getOrOpen(step, true); break;
            case "invalidate": opInvalidate(step); break;
            case "free": opFree(step); break;
            case "login": opLogin(step); break;
            case "sleep": opSleep(step); break;
            case "stats": checkStats(step); break;
            case "wait_for": opWaitFor(step); break;
            case "emulator_kill_connections": r.emulator.post("/emulator/kill-connections", null); break;
            case "emulator_restart_postgres": r.emulator.post("/emulator/restart-postgres", null); break;
            default: pools.run(op, step);
        }
    }

    // --- values --------------------------------------------------------------

    /** ${NAME}, ${NAME:-default} from the env file; $${ is a literal ${. */
    String expand(String text) throws StepException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length();) {
            if (text.startsWith("$${", i)) {
                b.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    throw new StepException("unterminated ${ in \"" + text + "\"");
                }
                String name = text.substring(i + 2, end);
                String value = r.emulator.env().get(name);
                int dash = name.indexOf(":-");
                if (dash >= 0) {
                    value = r.emulator.env().getOrDefault(name.substring(0, dash), name.substring(dash + 2));
                }
                if (value == null) {
                    throw new StepException("${" + name + "} is not defined in the environment file");
                }
                b.append(value);
                i = end + 1;
            } else {
                b.append(text.charAt(i++));
            }
        }
        return b.toString();
    }

    /** A scenario value as text: strings expanded, numbers and booleans as their JSON text. */
    String text(JsonNode v, String key) throws StepException {
        if (v.isTextual()) {
            return expand(v.asText());
        }
        if (v.isNumber() || v.isBoolean()) {
            return v.toString();
        }
        throw new StepException("\"" + key + "\" must be a string");
    }

    static int intField(JsonNode step, String key, int dflt, int lo, int hi) throws StepException {
        JsonNode v = step.get(key);
        if (v == null) {
            if (dflt == 0) {
                throw new StepException("\"" + key + "\" is required");
            }
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < lo || v.asInt() > hi) {
            throw new StepException("\"" + key + "\" must be " + lo + ".." + hi);
        }
        return v.asInt();
    }

    static boolean boolField(JsonNode step, String key, boolean dflt) {
        JsonNode v = step.get(key);
        return v != null && v.isBoolean() ? v.asBoolean() : dflt;
    }

    void postKnobs(JsonNode knobs) throws StepException, IOException {
        if (knobs == null || !knobs.isObject()) {
            throw new StepException("\"knobs\" must be an object");
        }
        r.emulator.knobs(knobs.toString());
    }

    private void opSleep(JsonNode step) throws StepException {
        JsonNode ms = step.get("ms");
        if (ms == null || !ms.isNumber() || ms.asDouble() < 0) {
            throw new StepException("\"ms\" must be a number >= 0");
        }
        sleep((long) ms.asDouble());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A configuration from the scenario's object alone (config.use_environment=false); null unsets. */
    LakebaseConfig config(JsonNode config) throws StepException {
        LakebaseConfig.Builder b = LakebaseConfig.builder().set("config.use_environment", "false");
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            b.set(e.getKey(), e.getValue().isNull() ? null : text(e.getValue(), e.getKey()));
        }
        return b.build();
    }

    /** Builds then creates; the first failing call (validation included) is the outcome. */
    static <T> Object attempt(Supplier<T> call) {
        try {
            return call.get();
        } catch (LakebaseException e) {
            return e;
        }
    }

    // --- provider, get, open, invalidate, free --------------------------------

    private ProviderSlot stepProvider(JsonNode step, boolean mustBeOpen) throws StepException {
        String id = step.path("provider").asText("");
        ProviderSlot slot = providers.get(id);
        if (id.isEmpty()) {
            throw new StepException("\"provider\" (an id) is required");
        }
        if (slot == null) {
            throw new StepException("no provider with id \"" + id + "\"");
        }
        if (mustBeOpen && slot.creds == null) {
            throw new StepException("provider \"" + id + "\" was freed");
        }
        return slot;
    }

    private void opProvider(JsonNode step) throws StepException {
        String id = step.path("id").asText("");
        if (id.isEmpty() || !step.path("config").isObject()) {
            throw new StepException("\"id\" (string) and \"config\" (object) are required");
        }
        ProviderSlot slot = providers.get(id);
        if (slot != null && slot.creds != null) {
            throw new StepException("provider \"" + id + "\" already exists");
        }
        JsonNode config = step.get("config");
        Object made = attempt(() -> {
            try {
                return LakebaseCredentials.create(config(config));
            } catch (StepException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        });
        RuntimeException err = made instanceof RuntimeException ? (RuntimeException) made : null;
        try {
            checkOutcome(step.get("expect"), "", new Outcome(err, null));
        } catch (StepException e) {
            if (made instanceof LakebaseCredentials) {
                ((LakebaseCredentials) made).close();
            }
            throw e;
        }
        if (made instanceof LakebaseCredentials) {
            if (slot == null) {
                slot = new ProviderSlot();
                providers.put(id, slot);
            }
            slot.creds = (LakebaseCredentials) made;
        }
    }

    /** Runs call on count threads released together (inline for one). */
    static List<Outcome> calls(int count, Supplier<Outcome> call) {
        Outcome[] results = new Outcome[count];
        Together.run(count, n -> results[n] = call.get());
        return List.of(results);
    }

    private void getOrOpen(JsonNode step, boolean open) throws StepException {
        ProviderSlot slot = stepProvider(step, true);
        int count = intField(step, "threads", 1, 1, MAX_THREADS);
        LakebaseCredentials creds = slot.creds;
        List<Outcome> results = calls(count, () -> {
            try {
                if (open) {
                    creds.open();
                    return new Outcome(null, null);
                }
                return new Outcome(null, creds.get());
            } catch (RuntimeException e) {
                return new Outcome(e, null);
            }
        });
        int first = -1;
        for (int i = 0; i < results.size(); i++) {
            try {
                checkOutcome(step.get("expect"), "", results.get(i));
            } catch (StepException e) {
                throw count > 1 ? new StepException("thread " + (i + 1) + " of " + count + ": " + e.getMessage()) : e;
            }
            if (results.get(i).cred() != null && first < 0) {
                first = i;
            }
        }
        if (boolField(step, "same_token_across_threads", false) && first >= 0) {
            char[] token = results.get(first).cred().token();
            for (int i = 0; i < results.size(); i++) {
                LakebaseCredential c = results.get(i).cred();
                if (c != null && !java.util.Arrays.equals(c.token(), token)) {
                    throw new StepException("threads " + (first + 1) + " and " + (i + 1) + " got different tokens");
                }
            }
        }
        String save = step.path("save_token").asText("");
        if (first < 0) {
            if (!save.isEmpty()) {
                throw new StepException("no token to save as \"" + save + "\"");
            }
            return;
        }
        LakebaseCredential cred = results.get(first).cred();
        if (!save.isEmpty()) {
            saved.put(save, cred.token().clone());
        }
        for (int i = 0; i < results.size(); i++) {
            if (i != first && results.get(i).cred() != null) {
                results.get(i).cred().close();
            }
        }
        if (slot.latest != null) {
            slot.latest.close();
        }
        slot.latest = cred;
    }

    private void opInvalidate(JsonNode step) throws StepException {
        ProviderSlot slot = stepProvider(step, true);
        char[] token = null;
        if (step.has("token")) {
            String name = step.get("token").asText();
            token = saved.get(name);
            if (token == null) {
                throw new StepException("no saved token \"" + name + "\"");
            }
        }
        RuntimeException err = null;
        try {
            slot.creds.invalidate(token);
        } catch (RuntimeException e) {
            err = e;
        }
        checkOutcome(step.get("expect"), "", new Outcome(err, null));
    }

    private void opFree(JsonNode step) throws StepException {
        ProviderSlot slot = stepProvider(step, true);
        slot.creds.close();
        slot.creds = null;
    }

    // --- expectations ----------------------------------------------------------

    static final String EXPECT_CALL_KEYS = "ok,error,api_code,http_status,message_contains,message_not_contains,"
            + "user,host,port,database,sslmode,same_token_as,different_token_from,sqlstate";

    /** The scenario's name of an exception: the core's error name; a closed handle is ECLOSED. */
    static String codeName(RuntimeException e) {
        if (e instanceof LakebaseException) {
            return ((LakebaseException) e).errorName();
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("closed")) {
            return "ECLOSED";
        }
        return e.getClass().getSimpleName();
    }

    static String describe(RuntimeException e) {
        if (e == null) {
            return "success";
        }
        if (e instanceof LakebaseException) {
            LakebaseException l = (LakebaseException) e;
            return l.errorName() + " (HTTP " + l.httpStatus() + ", api_code \"" + l.apiCode() + "\"): "
                    + l.getMessage();
        }
        return codeName(e) + ": " + e.getMessage();
    }

    void checkOutcome(JsonNode expect, String extraKeys, Outcome o) throws StepException {
        if (expect != null) {
            if (!expect.isObject()) {
                throw new StepException("\"expect\" must be an object");
            }
            checkKeys(expect, extraKeys.isEmpty() ? EXPECT_CALL_KEYS : EXPECT_CALL_KEYS + "," + extraKeys,
                    "expect");
        }
        JsonNode okV = expect == null ? null : expect.get("ok");
        JsonNode errV = expect == null ? null : expect.get("error");
        boolean hasErr = errV != null && errV.isTextual();
        boolean wantOk = expect == null || (okV != null && okV.isBoolean() && okV.asBoolean())
                || (okV == null && !hasErr);
        RuntimeException e = o.error();
        if (wantOk) {
            if (e != null) {
                throw new StepException("expected success, got " + describe(e));
            }
            if (o.cred() != null) {
                checkCredential(expect, o.cred());
            }
            return;
        }
        if (e == null) {
            throw new StepException("expected " + (hasErr ? errV.asText() : "an error") + ", got success");
        }
        if (hasErr && !codeName(e).equals(errV.asText())) {
            throw new StepException("expected " + errV.asText() + ", got " + describe(e));
        }
        LakebaseException l = e instanceof LakebaseException ? (LakebaseException) e : null;
        String sqlState = l == null ? "" : l.sqlState();
        if (expect.has("sqlstate") && !expect.get("sqlstate").asText().equals(sqlState)) {
            throw new StepException("expected sqlstate " + expect.get("sqlstate").asText() + ", got \"" + sqlState
                    + "\": " + describe(e));
        }
        if (expect.has("api_code") && !expect.get("api_code").asText().equals(l == null ? "" : l.apiCode())) {
            throw new StepException("expected api_code " + expect.get("api_code").asText() + ", got " + describe(e));
        }
        if (expect.has("http_status") && expect.get("http_status").asInt() != (l == null ? 0 : l.httpStatus())) {
            throw new StepException("expected HTTP " + expect.get("http_status").asInt() + ", got " + describe(e));
        }
        String message = String.valueOf(e.getMessage());
        checkContains(expect.get("message_contains"), message, true);
        checkContains(expect.get("message_not_contains"), message, false);
    }

    /** Text must (or must not) contain each string; a forbidden needle is never printed (it may be a secret). */
    void checkContains(JsonNode expected, String text, boolean want) throws StepException {
        if (expected == null) {
            return;
        }
        List<JsonNode> list = new ArrayList<>();
        if (expected.isArray()) {
            expected.forEach(list::add);
        } else {
            list.add(expected);
        }
        for (JsonNode item : list) {
            if (!item.isTextual()) {
                throw new StepException("message expectations must be strings");
            }
            String needle = expand(item.asText());
            if (text.contains(needle) != want) {
                throw new StepException(want ? "message \"" + text + "\" does not contain \"" + needle + "\""
                        : "message contains a forbidden string (" + item.asText() + ")");
            }
        }
    }

    private void checkCredential(JsonNode expect, LakebaseCredential cred) throws StepException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("user", cred.user());
        fields.put("host", cred.host());
        fields.put("port", Integer.toString(cred.port()));
        fields.put("database", cred.database());
        fields.put("sslmode", cred.sslmode());
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (expect != null && expect.has(f.getKey())) {
                String want = text(expect.get(f.getKey()), f.getKey());
                if (!want.equals(f.getValue())) {
                    throw new StepException("credential " + f.getKey() + " is \"" + f.getValue() + "\", expected \""
                            + want + "\"");
                }
            }
        }
        if (cred.token().length == 0) {
            throw new StepException("the credential has an empty token");
        }
        for (String key : List.of("same_token_as", "different_token_from")) {
            if (expect == null || !expect.has(key)) {
                continue;
            }
            char[] s = saved.get(expect.get(key).asText());
            if (s == null) {
                throw new StepException("no saved token \"" + expect.get(key).asText() + "\"");
            }
            boolean same = java.util.Arrays.equals(s, cred.token());
            if (same != key.equals("same_token_as")) {
                throw new StepException("the token " + (same ? "equals" : "differs from") + " saved token \""
                        + expect.get(key).asText() + "\"");
            }
        }
    }

    // --- login -------------------------------------------------------------------

    private void opLogin(JsonNode step) throws StepException {
        LakebaseCredential cred = null;
        if (step.has("provider")) {
            ProviderSlot slot = stepProvider(step, false);
            if (slot.latest == null) {
                throw new StepException("provider \"" + step.get("provider").asText() + "\" has no credential yet");
            }
            cred = slot.latest;
        }
        Map<String, String> p = new HashMap<>();
        for (String key : List.of("host", "port", "user", "password", "database", "sslmode")) {
            if (step.has(key)) {
                p.put(key, text(step.get(key), key));
            } else if (cred != null) {
                p.put(key, Objects.requireNonNull(Map.of("host", cred.host(), "port", Integer.toString(cred.port()),
                        "user", cred.user(), "password", new String(cred.token()), "database", cred.database(),
                        "sslmode", cred.sslmode()).get(key)));
            } else if (key.equals("database")) {
                p.put(key, "databricks_postgres");
            } else if (key.equals("sslmode")) {
                p.put(key, "require");
            } else {
                throw new StepException("\"" + key + "\" is required without a provider credential");
            }
        }
        checkLogin(step.get("expect"), login(p));
    }

    private record LoginResult(boolean ok, String sqlState, String message, String currentUser) {}

    /** One direct connection with a static password, then SELECT current_user, as an application would. */
    private LoginResult login(Map<String, String> p) {
        LakebaseConfig.Builder b = LakebaseConfig.builder()
                .set("config.use_environment", "false")
                .set("pg.host", p.get("host"))
                .set("pg.port", p.get("port"))
                .set("pg.user", p.get("user"))
                .set("pg.password", p.get("password"))
                .set("pg.database", p.get("database"))
                .set("pg.sslmode", p.get("sslmode"))
                .set("pg.application_name", "lakebase-conformance");
        String ca = r.emulator.env().get("PGSSLROOTCERT");
        if (ca != null) {
            b.set("pg.sslrootcert", ca);
        }
        try (LakebaseConnection conn = LakebaseConnection.open(b.build())) {
            LakebaseResult res = conn.queryText("SELECT current_user");
            return new LoginResult(true, "", "", (String) res.get(0, 0));
        } catch (LakebaseException e) {
            return new LoginResult(false, e.sqlState(), e.getMessage(), "");
        }
    }

    private void checkLogin(JsonNode expect, LoginResult res) throws StepException {
        if (expect != null) {
            if (!expect.isObject()) {
                throw new StepException("\"expect\" must be an object");
            }
            checkKeys(expect, "ok,role,sqlstate,message_contains,message_not_contains", "expect");
        }
        JsonNode okV = expect == null ? null : expect.get("ok");
        boolean hasState = expect != null && expect.path("sqlstate").isTextual();
        if (expect == null || (okV != null && okV.asBoolean()) || (okV == null && !hasState)) {
            if (!res.ok()) {
                throw new StepException("expected login to succeed, got [" + res.sqlState() + "] " + res.message());
            }
            if (expect != null && expect.has("role")) {
                String role = text(expect.get("role"), "role");
                if (!role.equals(res.currentUser())) {
                    throw new StepException("current_user is \"" + res.currentUser() + "\", expected \"" + role + "\"");
                }
            }
            return;
        }
        String sqlState = hasState ? expect.get("sqlstate").asText() : null;
        if (res.ok()) {
            throw new StepException("expected login to fail" + (hasState ? " with " + sqlState : "")
                    + ", it succeeded as \"" + res.currentUser() + "\"");
        }
        if (hasState && !sqlState.equals(res.sqlState())) {
            throw new StepException("expected SQLSTATE " + sqlState + ", got [" + res.sqlState() + "] " + res.message());
        }
        checkContains(expect.get("message_contains"), res.message(), true);
        checkContains(expect.get("message_not_contains"), res.message(), false);
    }

    // --- stats and wait_for ---------------------------------------------------------

    private void opWaitFor(JsonNode step) throws StepException, IOException {
        long timeoutMs = step.has("timeout_ms") ? (long) step.get("timeout_ms").asDouble() : 10_000;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        for (;;) {
            try {
                checkStats(step);
                return;
            } catch (StepException e) {
                if (System.nanoTime() >= deadline) {
                    throw new StepException("still not true after " + timeoutMs + " ms: " + e.getMessage());
                }
            }
            sleep(100);
        }
    }

    void checkStats(JsonNode step) throws StepException, IOException {
        if (!step.has("emulator") && !step.has("provider") && !step.has("pool")) {
            throw new StepException("\"emulator\", \"provider\" or \"pool\" expectations are required");
        }
        if (step.has("emulator")) {
            if (!step.get("emulator").isObject()) {
                throw new StepException("\"emulator\" must be an object");
            }
            matchAll("emulator", step.get("emulator"), r.emulator.stats(), "");
        }
        if (step.has("provider")) {
            for (JsonNode want : listOf(step.get("provider"))) {
                String id = want.path("id").asText("");
                ProviderSlot slot = providers.get(id);
                if (slot == null || slot.creds == null) {
                    throw new StepException("provider stats need the \"id\" of an open provider");
                }
                checkKeys(want, "id,mints_ok,mints_failed,degraded,cached,last_error,last_error_http_status",
                        "provider stats");
                LakebaseCredentialStats st;
                try {
                    st = slot.creds.stats();
                } catch (RuntimeException e) {
                    throw new StepException("credentials stats: " + describe(e));
                }
                matchAll("provider " + id, want, credentialStatsJson(st), "id");
            }
        }
        if (step.has("pool")) {
            pools.checkStats(step.get("pool"));
        }
    }

    static List<JsonNode> listOf(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else {
            list.add(node);
        }
        return list;
    }

    /** A provider's counters named as tests/conformance/README.md names them. */
    static ObjectNode credentialStatsJson(LakebaseCredentialStats st) {
        ObjectNode o = ConformanceRunner.JSON.createObjectNode();
        o.put("mints_ok", st.mintsOk());
        o.put("mints_failed", st.mintsFailed());
        o.put("degraded", st.degraded());
        o.put("cached", st.expireTime() != null);
        o.put("last_error", st.lastErrorName());
        o.put("last_error_http_status", st.lastErrorHttpStatus());
        return o;
    }

    void matchAll(String where, JsonNode want, JsonNode actual, String skip) throws StepException {
        List<String> paths = new ArrayList<>();
        want.fieldNames().forEachRemaining(paths::add);
        paths.sort(null);
        for (String path : paths) {
            if (!path.equals(skip)) {
                matchValue(where, path, want.get(path), atPath(actual, path));
            }
        }
    }

    static JsonNode atPath(JsonNode root, String path) {
        JsonNode node = root;
        for (String key : path.split("\\.")) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(key);
        }
        return node;
    }

    /** A number (exact), {"min": a, "max": b}, a boolean or a string (expanded). */
    void matchValue(String where, String path, JsonNode want, JsonNode got) throws StepException {
        boolean ok;
        if (want.isNumber()) {
            ok = got != null && got.isNumber() && got.decimalValue().compareTo(want.decimalValue()) == 0;
        } else if (want.isBoolean()) {
            ok = got != null && got.isBoolean() && got.asBoolean() == want.asBoolean();
        } else if (want.isTextual()) {
            ok = got != null && got.isTextual() && got.asText().equals(expand(want.asText()));
        } else if (want.isObject()) {
            checkKeys(want, "min,max", path);
            ok = got != null && got.isNumber();
            if (ok && want.has("min") && got.decimalValue().compareTo(want.get("min").decimalValue()) < 0) {
                ok = false;
            }
            if (ok && want.has("max") && got.decimalValue().compareTo(want.get("max").decimalValue()) > 0) {
                ok = false;
            }
        } else {
            throw new StepException(where + " " + path + ": unsupported expectation " + want);
        }
        if (!ok) {
            throw new StepException(where + " " + path + " is " + (got == null ? "missing" : got.toString())
                    + ", expected " + want);
        }
    }
}
