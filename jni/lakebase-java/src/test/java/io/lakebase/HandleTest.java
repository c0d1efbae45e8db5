package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handles without the network: static-password pools and providers are lazy. */
class HandleTest {
    private static LakebaseConfig staticConfig() {
        return LakebaseConfig.builder().set("config.use_environment", false).set("pg.host", "127.0.0.1")
                .set("pg.port", 1).set("pg.user", "nobody").set("pg.password", "static").build();
    }

    private static LakebaseConfig mintingConfig() {
        return LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", "https://127.0.0.1:1").set("auth.token", "dapi-not-used")
                .set("lakebase.endpoint", "projects/p/branches/b/endpoints/e").build();
    }

    @Test
    void use_after_close_throws_illegal_state_and_double_close_is_harmless() {
        LakebasePool pool = LakebasePool.create(staticConfig());
        pool.close();
        pool.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.query("SELECT 1"));
        assertTrue(e.getMessage().contains("LakebasePool is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, pool::acquire);
        assertThrows(IllegalStateException.class, pool::open);
        assertEquals(0, pool.stats().total(), "a closed pool reports its last counters");

        LakebaseCredentials creds = LakebaseCredentials.create(mintingConfig());
        creds.close();
        creds.close();
        assertThrows(IllegalStateException.class, creds::get);
        assertThrows(IllegalStateException.class, creds::stats);
        assertThrows(IllegalStateException.class, () -> creds.invalidate((char[]) null));
    }

    @Test
    void ten_thousand_open_close_cycles() {
        LakebaseConfig config = mintingConfig();
        for (int i = 0; i < 10_000; i++) {
            try (LakebaseCredentials creds = LakebaseCredentials.create(config)) {
                assertEquals(0, creds.stats().mintsOk());
            }
        }
    }

    @Test
    void close_racing_calls_never_crashes() throws Exception {
        for (int round = 0; round < 50; round++) {
            LakebaseCredentials creds = LakebaseCredentials.create(mintingConfig());
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger closed = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (;;) {
                        try {
                            creds.stats();
                            creds.invalidate((char[]) null);
                            ok.incrementAndGet();
                        } catch (IllegalStateException e) {
                            closed.incrementAndGet();
                            return;
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            Thread.sleep(2);
            creds.close();
            for (Thread th : threads) {
                th.join();
            }
            assertEquals(4, closed.get());
        }
    }

    @Test
    void unreachable_handles_are_closed_by_the_cleaner_and_release_their_callbacks() throws Exception {
        LakebaseConfig config = LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", "https://127.0.0.1:1").set("auth.type", "external")
                .set("lakebase.endpoint", "projects/p/branches/b/endpoints/e")
                .tokenSource(() -> LakebaseTokenSource.Token.of("unused", null)).build();
        LakebaseCredentials creds = LakebaseCredentials.create(config);
        long id = hooksIdOf(creds);
        assertTrue(Callbacks.isLive(id));
        config = null;
        creds = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Callbacks.isLive(id) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(Callbacks.isLive(id), "the Cleaner closed neither the handle nor the configuration");
    }

    private static long hooksIdOf(LakebaseCredentials creds) throws ReflectiveOperationException {
        var f = LakebaseCredentials.class.getDeclaredField("hooks");
        f.setAccessible(true);
        return ((Callbacks.Hooks) f.get(creds)).id;
    }
}
