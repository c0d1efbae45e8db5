package io.lakebase.conformance;

import static io.lakebase.conformance.ConformanceRunner.checkKeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakebase.LakebaseConnection;
import io.lakebase.LakebasePool;
import io.lakebase.LakebasePoolStats;
import io.lakebase.LakebaseResult;
import io.lakebase.conformance.ConformanceRunner.StepException;
import io.lakebase.conformance.Scenario.Outcome;
import io.lakebase.testing.Together;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The pool steps of a scenario (capability "pool"). */
final class ScenarioPools {
    private static final int MAX_CALLERS = 100;
    private static final int MAX_REPEAT = 100_000;
    private static final String QUERY_EXPECT_KEYS = "rows,columns,command";
    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("pool", "id,config,expect"),
            Map.entry("pool_open", "pool,wait,within_ms,expect"),
            Map.entry("pool_query", "pool,sql,params,threads,repeat,expect"),
            Map.entry("pool_close", "pool,cancel_inflight,within_ms,expect"),
            Map.entry("pool_load_start", "id,pool,threads,sql,params"),
            Map.entry("pool_load_stop", "load,expect"),
            Map.entry("conn_acquire", "id,pool,expect"),
            Map.entry("conn_query", "conn,sql,params,background,release_after,expect"),
            Map.entry("conn_wait", "conn,expect"),
            Map.entry("conn_cancel", "conn,expect"),
            Map.entry("conn_release", "conn"));

    private final Scenario sc;
    private final Map<String, LakebasePool> pools = new HashMap<>();
    private final Map<String, ConnSlot> conns = new HashMap<>();
    private final Map<String, Load> loads = new HashMap<>();

    private static final class ConnSlot {
        LakebaseConnection conn; // null once released
        Thread background;
        LakebaseResult result;
        RuntimeException error;
        boolean releaseAfter;

        void run(String sql, Object[] params) {
            try {
                result = conn.queryText(sql, params);
                error = null;
            } catch (RuntimeException e) {
                result = null;
                error = e;
            }
            if (releaseAfter) {
                conn.close();
                conn = null;
            }
        }
    }

    private static final class Load {
        final List<Thread> threads = new ArrayList<>();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<RuntimeException> firstError = new AtomicReference<>();
        volatile boolean stop;

        void stopAndWait() {
            stop = true;
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    ScenarioPools(Scenario sc) {
        this.sc = sc;
    }

    /** The keys of a pool op, or null for an op that is not one. */
    static String keysOf(String op) {
        return KEYS.get(op);
    }

    /** Stops loads, waits for background queries, releases connections, closes pools (cancelling). */
    void clear() {
        loads.values().forEach(Load::stopAndWait);
        for (ConnSlot c : conns.values()) {
            join(c);
            if (c.conn != null) {
                c.conn.close();
            }
        }
        pools.values().forEach(p -> p.close(true));
    }

    private static void join(ConnSlot c) {
        if (c.background != null) {
            try {
                c.background.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.background = null;
        }
    }

    void run(String op, JsonNode step) throws StepException {
        switch (op) {
            case "pool": opPool(step); break;
            case "pool_open": opPoolOpen(step); break;
            case "pool_query": opPoolQuery(step); break;
            case "pool_close": opPoolClose(step); break;
            case "pool_load_start": opLoadStart(step); break;
            case "pool_load_stop": opLoadStop(step); break;
            case "conn_acquire": opConnAcquire(step); break;
            case "conn_query": opConnQuery(step); break;
            case "conn_wait": opConnWait(step); break;
            case "conn_cancel": opConnCancel(step); break;
            case "conn_release": opConnRelease(step); break;
            default: throw new StepException("unknown op \"" + op + "\"");
        }
    }

    private LakebasePool stepPool(JsonNode step) throws StepException {
        String id = step.path("pool").asText("");
        LakebasePool p = pools.get(id);
        if (p == null) {
            throw new StepException("no pool with id \"" + id + "\"");
        }
        return p;
    }

    private ConnSlot stepConn(JsonNode step, boolean mustBeHeld) throws StepException {
        String id = step.path("conn").asText("");
        ConnSlot c = conns.get(id);
        if (c == null) {
            throw new StepException("no connection with id \"" + id + "\"");
        }
        if (mustBeHeld && c.conn == null) {
            throw new StepException("connection \"" + id + "\" was released");
        }
        return c;
    }

    private static RuntimeException attempt(Runnable call) {
        try {
            call.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void checkWithin(JsonNode step, long tookNanos) throws StepException {
        JsonNode v = step.get("within_ms");
        if (v == null) {
            return;
        }
        if (!v.isNumber()) {
            throw new StepException("\"within_ms\" must be a number");
        }
        if (tookNanos > (long) (v.asDouble() * 1_000_000)) {
            throw new StepException("took " + tookNanos / 1_000_000 + " ms, expected at most " + v.asLong() + " ms");
        }
    }

    /** "sql" (required unless dflt is set) and "params" (strings, numbers, booleans or null). */
    private Object[] statement(JsonNode step, String dflt, String[] sqlOut) throws StepException {
        String sql = step.has("sql") ? sc.text(step.get("sql"), "sql") : dflt;
        if (sql == null || sql.isEmpty()) {
            throw new StepException("\"sql\" is required");
        }
        sqlOut[0] = sql;
        if (!step.has("params")) {
            return new Object[0];
        }
        if (!step.get("params").isArray()) {
            throw new StepException("\"params\" must be an array");
        }
        List<Object> params = new ArrayList<>();
        for (JsonNode item : step.get("params")) {
            if (item.isNull()) {
                params.add(null);
            } else if (item.isTextual() || item.isNumber() || item.isBoolean()) {
                params.add(sc.text(item, "params"));
            } else {
                throw new StepException("params must be strings, numbers, booleans or null");
            }
        }
        return params.toArray();
    }

    // --- query expectations -------------------------------------------------------

    private void checkQuery(JsonNode expect, RuntimeException error, LakebaseResult res) throws StepException {
        sc.checkOutcome(expect, QUERY_EXPECT_KEYS, new Outcome(error, null));
        if (error != null || expect == null) {
            return;
        }
        if (expect.has("rows")) {
            checkRows(expect.get("rows"), res);
        }
        if (expect.has("columns")) {
            JsonNode names = expect.get("columns");
            if (!names.isArray()) {
                throw new StepException("\"columns\" must be an array of names");
            }
            if (names.size() != res.columnCount()) {
                throw new StepException(res.columnCount() + " columns, expected " + names.size());
            }
            for (int i = 0; i < names.size(); i++) {
                if (!names.get(i).asText().equals(res.columnName(i))) {
                    throw new StepException("column " + (i + 1) + " is named \"" + res.columnName(i) + "\"");
                }
            }
        }
        if (expect.has("command") && !expect.get("command").asText().equals(res.command())) {
            throw new StepException("command tag \"" + res.command() + "\", expected \""
                    + expect.get("command").asText() + "\"");
        }
    }

    /** Every cell against the server's text form (null: SQL NULL). */
    private void checkRows(JsonNode want, LakebaseResult res) throws StepException {
        if (!want.isArray()) {
            throw new StepException("\"rows\" must be an array of arrays");
        }
        if (want.size() != res.rowCount()) {
            throw new StepException(res.rowCount() + " rows, expected " + want.size());
        }
        for (int r = 0; r < want.size(); r++) {
            JsonNode cells = want.get(r);
            if (!cells.isArray()) {
                throw new StepException("\"rows\" must be an array of arrays");
            }
            if (cells.size() != res.columnCount()) {
                throw new StepException(res.columnCount() + " columns, expected " + cells.size());
            }
            for (int c = 0; c < cells.size(); c++) {
                Object got = res.get(r, c);
                JsonNode cell = cells.get(c);
                if (cell.isNull()) {
                    if (got != null) {
                        throw new StepException("row " + (r + 1) + " column " + (c + 1) + " is \"" + got
                                + "\", expected NULL");
                    }
                    continue;
                }
                String w = sc.text(cell, "rows");
                if (got == null) {
                    throw new StepException("row " + (r + 1) + " column " + (c + 1) + " is NULL, expected \"" + w + "\"");
                }
                if (!w.equals(got)) {
                    throw new StepException("row " + (r + 1) + " column " + (c + 1) + " is \"" + got + "\", expected \""
                            + w + "\"");
                }
            }
        }
    }

    // --- pool, pool_open, pool_close ----------------------------------------------

    private void opPool(JsonNode step) throws StepException {
        String id = step.path("id").asText("");
        if (id.isEmpty() || !step.path("config").isObject()) {
            throw new StepException("\"id\" (string) and \"config\" (object) are required");
        }
        if (pools.containsKey(id)) {
            throw new StepException("pool \"" + id + "\" already exists");
        }
        JsonNode config = step.get("config");
        LakebasePool[] made = new LakebasePool[1];
        StepException[] bad = new StepException[1];
        RuntimeException err = attempt(() -> {
            try {
                made[0] = LakebasePool.create(sc.config(config));
            } catch (StepException e) {
                bad[0] = e;
            }
        });
        if (bad[0] != null) {
            throw bad[0];
        }
        try {
            sc.checkOutcome(step.get("expect"), "", new Outcome(err, null));
        } catch (StepException e) {
            if (made[0] != null) {
                made[0].close(true);
            }
            throw e;
        }
        if (made[0] != null) {
            pools.put(id, made[0]);
        }
    }

    private void opPoolOpen(JsonNode step) throws StepException {
        LakebasePool p = stepPool(step);
        boolean await = Scenario.boolField(step, "wait", true);
        long start = System.nanoTime();
        RuntimeException err = attempt(await ? p::open : p::start);
        long took = System.nanoTime() - start;
        sc.checkOutcome(step.get("expect"), "", new Outcome(err, null));
        checkWithin(step, took);
    }

    private void opPoolClose(JsonNode step) throws StepException {
        LakebasePool p = stepPool(step);
        boolean cancel = Scenario.boolField(step, "cancel_inflight", false);
        long start = System.nanoTime();
        RuntimeException err = attempt(() -> p.close(cancel));
        long took = System.nanoTime() - start;
        sc.checkOutcome(step.get("expect"), "", new Outcome(err, null));
        checkWithin(step, took);
    }

    // --- pool_query, loads ----------------------------------------------------------

    private void opPoolQuery(JsonNode step) throws StepException {
        LakebasePool p = stepPool(step);
        String[] sql = new String[1];
        Object[] params = statement(step, null, sql);
        int threads = Scenario.intField(step, "threads", 1, 1, MAX_CALLERS);
        int repeat = Scenario.intField(step, "repeat", 1, 1, MAX_REPEAT);
        AtomicReference<StepException> firstFail = new AtomicReference<>();
        JsonNode expect = step.get("expect");
        Runnable one = () -> {
            for (int i = 0; i < repeat && firstFail.get() == null; i++) {
                LakebaseResult[] res = new LakebaseResult[1];
                RuntimeException err = attempt(() -> res[0] = p.queryText(sql[0], params));
                try {
                    checkQuery(expect, err, res[0]);
                } catch (StepException e) {
                    firstFail.compareAndSet(null, e);
                }
            }
        };
        Together.run(threads, n -> one.run());
        if (firstFail.get() != null) {
            throw firstFail.get();
        }
    }

    private void opLoadStart(JsonNode step) throws StepException {
        String id = step.path("id").asText("");
        if (id.isEmpty()) {
            throw new StepException("\"id\" is required");
        }
        if (loads.containsKey(id)) {
            throw new StepException("load \"" + id + "\" already exists");
        }
        LakebasePool p = stepPool(step);
        int threads = Scenario.intField(step, "threads", 0, 1, MAX_CALLERS);
        String[] sql = new String[1];
        Object[] params = statement(step, "SELECT 1", sql);
        Load l = new Load();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (!l.stop) {
                    try {
                        p.query(sql[0], params);
                        l.ok.incrementAndGet();
                    } catch (RuntimeException e) {
                        l.failed.incrementAndGet();
                        l.firstError.compareAndSet(null, e);
                    }
                }
            });
            th.start();
            l.threads.add(th);
        }
        loads.put(id, l);
    }

    private void opLoadStop(JsonNode step) throws StepException {
        String id = step.path("load").asText("");
        Load l = loads.get(id);
        if (l == null) {
            throw new StepException("no load with id \"" + id + "\"");
        }
        l.stopAndWait();
        ObjectNode want = ConformanceRunner.JSON.createObjectNode();
        if (step.has("expect")) {
            if (!step.get("expect").isObject()) {
                throw new StepException("\"expect\" must be an object");
            }
            checkKeys(step.get("expect"), "queries,failed", "expect");
            want.setAll((ObjectNode) step.get("expect"));
        }
        if (!want.has("failed")) {
            want.put("failed", 0);
        }
        ObjectNode actual = ConformanceRunner.JSON.createObjectNode();
        actual.put("queries", l.ok.get());
        actual.put("failed", l.failed.get());
        try {
            sc.matchAll("load", want, actual, "");
        } catch (StepException e) {
            RuntimeException first = l.firstError.get();
            throw first == null ? e
                    : new StepException(e.getMessage() + " (first failure: " + Scenario.describe(first) + ")");
        }
    }

    // --- connections ----------------------------------------------------------------

    private void opConnAcquire(JsonNode step) throws StepException {
        String id = step.path("id").asText("");
        if (id.isEmpty()) {
            throw new StepException("\"id\" is required");
        }
        ConnSlot existing = conns.get(id);
        if (existing != null && existing.conn != null) {
            throw new StepException("connection \"" + id + "\" is already held");
        }
        LakebasePool p = stepPool(step);
        LakebaseConnection[] conn = new LakebaseConnection[1];
        RuntimeException err = attempt(() -> conn[0] = p.acquire());
        try {
            sc.checkOutcome(step.get("expect"), "", new Outcome(err, null));
        } catch (StepException e) {
            if (conn[0] != null) {
                conn[0].close();
            }
            throw e;
        }
        if (conn[0] != null) {
            ConnSlot slot = new ConnSlot();
            slot.conn = conn[0];
            conns.put(id, slot);
        }
    }

    private void opConnQuery(JsonNode step) throws StepException {
        ConnSlot c = stepConn(step, true);
        if (c.background != null) {
            throw new StepException("a background query is still running on this connection");
        }
        String[] sql = new String[1];
        Object[] params = statement(step, null, sql);
        c.releaseAfter = Scenario.boolField(step, "release_after", false);
        if (!Scenario.boolField(step, "background", false)) {
            c.run(sql[0], params);
            finish(c, step.get("expect"));
            return;
        }
        if (step.has("expect")) {
            throw new StepException("a background query's expect goes on conn_wait");
        }
        c.background = new Thread(() -> c.run(sql[0], params));
        c.background.start();
    }

    private void finish(ConnSlot c, JsonNode expect) throws StepException {
        try {
            checkQuery(expect, c.error, c.result);
        } finally {
            c.result = null;
            c.error = null;
        }
    }

    private void opConnWait(JsonNode step) throws StepException {
        ConnSlot c = stepConn(step, false);
        if (c.background == null) {
            throw new StepException("no background query on connection \"" + step.path("conn").asText() + "\"");
        }
        join(c);
        finish(c, step.get("expect"));
    }

    private void opConnCancel(JsonNode step) throws StepException {
        ConnSlot c = stepConn(step, false);
        if (c.conn == null) {
            throw new StepException("connection \"" + step.path("conn").asText() + "\" was released");
        }
        sc.checkOutcome(step.get("expect"), "", new Outcome(attempt(c.conn::cancel), null));
    }

    private void opConnRelease(JsonNode step) throws StepException {
        ConnSlot c = stepConn(step, true);
        if (c.background != null) {
            throw new StepException("a background query is still running on this connection");
        }
        c.conn.close();
        c.conn = null;
    }

    // --- pool stats -----------------------------------------------------------------

    private static final String POOL_STATS_KEYS = "id,total,idle,in_use,connecting,waiting,connects_ok,"
            + "connects_failed,recycled,discarded,acquires,acquire_timeouts,credential.mints_ok,"
            + "credential.mints_failed,credential.degraded,credential.cached,credential.last_error,"
            + "credential.last_error_http_status";

    void checkStats(JsonNode want) throws StepException {
        for (JsonNode w : Scenario.listOf(want)) {
            String id = w.path("id").asText("");
            LakebasePool p = pools.get(id);
            if (p == null) {
                throw new StepException("no pool with id \"" + id + "\"");
            }
            checkKeys(w, POOL_STATS_KEYS, "pool stats");
            LakebasePoolStats st;
            ObjectNode cred;
            try {
                st = p.stats();
                cred = Scenario.credentialStatsJson(p.credentialStats());
            } catch (RuntimeException e) {
                throw new StepException("pool stats: " + Scenario.describe(e));
            }
            ObjectNode actual = ConformanceRunner.JSON.createObjectNode();
            actual.put("total", st.total());
            actual.put("idle", st.idle());
            actual.put("in_use", st.inUse());
            actual.put("connecting", st.connecting());
            actual.put("waiting", st.waiting());
            actual.put("connects_ok", st.connectsOk());
            actual.put("connects_failed", st.connectsFailed());
            actual.put("recycled", st.recycled());
            actual.put("discarded", st.discarded());
            actual.put("acquires", st.acquires());
            actual.put("acquire_timeouts", st.acquireTimeouts());
            actual.set("credential", cred);
            sc.matchAll("pool " + id, w, actual, "id");
        }
    }
}
