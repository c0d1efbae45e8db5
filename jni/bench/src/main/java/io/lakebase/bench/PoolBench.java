package io.lakebase.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lakebase.LakebaseConfig;
import io.lakebase.LakebasePool;
import io.lakebase.jdbc.LakebaseDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * THREADS threads run {@code SELECT 1} (or SQL) in a loop for SECONDS against each
 * contender in turn, ROUNDS times (alternating), all on the emulator's direct
 * PostgreSQL port with the password the emulator set for the role (static
 * mode, sslmode=disable): LakebasePool, LakebaseDataSource under HikariCP,
 * HikariCP + pgjdbc with a JDBC URL (the peer), and the same with
 * prepareThreshold=0 (no server-side prepared statements, as libpq's PQexec).
 * Prints queries/s per run and medians against the peer.
 *
 * <pre>java -cp ... io.lakebase.bench.PoolBench ENV_FILE [THREADS] [SECONDS] [ROUNDS] [ONLY] [SQL]</pre>
 *
 * ONLY (comma-separated contender names; empty for all) runs just those, every
 * pool still open: one contender per JVM, to compare against the same-run
 * figures. SQL replaces {@code SELECT 1}; every contender reads every cell of
 * every row as its typed Java value ({@code getObject} for JDBC).
 */
public final class PoolBench {
    private interface Query {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = readEnv(Path.of(args[0]));
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        String sql = args.length > 5 && !args[5].isEmpty() ? args[5] : "SELECT 1";
        String host = env.get("EMULATOR_DIRECT_HOST");
        String port = env.get("EMULATOR_DIRECT_PORT");
        String user = env.get("DATABRICKS_CLIENT_ID");
        String password = env.get("EMULATOR_DIRECT_PASSWORD");
        LakebaseConfig config = LakebaseConfig.builder().set("config.use_environment", false).set("pg.host", host)
                .set("pg.port", port).set("pg.user", user).set("pg.password", password)
                .set("pg.database", "databricks_postgres").set("pg.sslmode", "disable")
                .set("pool.min_size", threads).set("pool.max_size", threads).build();

        try (LakebasePool pool = LakebasePool.open(config);
                LakebaseDataSource lakebaseDs = new LakebaseDataSource(config);
                HikariDataSource viaLakebase = hikari(cfg -> cfg.setDataSource(lakebaseDs), threads);
                HikariDataSource plain = hikari(cfg -> {
                    cfg.setJdbcUrl("jdbc:postgresql://" + host + ":" + port + "/databricks_postgres?sslmode=disable");
                    cfg.setUsername(user);
                    cfg.setPassword(password);
                }, threads);
                // pgjdbc without server-side prepared statements (prepareThreshold=0):
                // the server parses and plans every statement, as it does for libpq's PQexec.
                HikariDataSource unprepared = hikari(cfg -> {
                    cfg.setJdbcUrl("jdbc:postgresql://" + host + ":" + port
                            + "/databricks_postgres?sslmode=disable&prepareThreshold=0");
                    cfg.setUsername(user);
                    cfg.setPassword(password);
                }, threads)) {
            Map<String, Query> contenders = new java.util.LinkedHashMap<>();
            contenders.put("lakebase_pool", () -> pool.query(sql));
            contenders.put("lakebase_datasource_hikari", () -> jdbcQuery(viaLakebase, sql));
            contenders.put("hikari_pgjdbc", () -> jdbcQuery(plain, sql));
            contenders.put("hikari_pgjdbc_unprepared", () -> jdbcQuery(unprepared, sql));
            if (args.length > 4 && !args[4].isEmpty()) {
                contenders.keySet().retainAll(List.of(args[4].split(",")));
            }
            for (Query q : contenders.values()) { // warm-up: JIT, connections
                run(q, threads, 2);
            }
            Map<String, List<Double>> results = new HashMap<>();
            System.out.printf("# %d threads, %d s per run, %d rounds, %d cpus, %s%n", threads, seconds, rounds,
                    Runtime.getRuntime().availableProcessors(), sql);
            List<String> names = new ArrayList<>(contenders.keySet());
            for (int round = 1; round <= rounds; round++) {
                // Each round starts with the next contender, so none always runs first.
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((round - 1 + i) % names.size());
                    double qps = run(contenders.get(name), threads, seconds);
                    results.computeIfAbsent(name, k -> new ArrayList<>()).add(qps);
                    System.out.printf("round %d %-28s %9.0f q/s%n", round, name, qps);
                }
            }
            List<Double> peerRuns = results.get("hikari_pgjdbc");
            for (String name : contenders.keySet()) {
                double m = median(results.get(name));
                System.out.printf("median %-28s %9.0f q/s", name, m);
                if (peerRuns != null) {
                    System.out.printf("  %.2fx hikari_pgjdbc", m / median(peerRuns));
                }
                System.out.println();
            }
        }
    }

    private static HikariDataSource hikari(java.util.function.Consumer<HikariConfig> setup, int size) {
        HikariConfig cfg = new HikariConfig();
        setup.accept(cfg);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(size);
        return new HikariDataSource(cfg);
    }

    private static void jdbcQuery(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    rs.getObject(i);
                }
            }
        }
    }

    /** Queries/s of q on threads threads for seconds; the first failure ends the run and is thrown. */
    private static double run(Query q, int threads, int seconds) throws Exception {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        q.run();
                        done.increment();
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                        stop.set(true);
                    }
                }
            });
            ts.add(t);
        }
        long t0 = System.nanoTime();
        ts.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static Map<String, String> readEnv(Path file) throws java.io.IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("export ") && line.contains("='") && line.endsWith("'")) {
                int eq = line.indexOf('=');
                env.put(line.substring(7, eq), line.substring(eq + 2, line.length() - 1));
            }
        }
        return env;
    }
}
