package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LakebaseExceptionTest {
    /** The subclass of each code, named as the core names it (lakebase_error_name). */
    private static final Map<String, Class<?>> EXPECTED = Map.ofEntries(
            Map.entry("EINVAL", LakebaseException.class), Map.entry("ENOMEM", LakebaseException.class),
            Map.entry("ECONFIG", LakebaseConfigException.class), Map.entry("EAUTH", LakebaseAuthException.class),
            Map.entry("EPERM", LakebaseAuthException.class), Map.entry("ENOTFOUND", LakebaseApiException.class),
            Map.entry("EAPI", LakebaseApiException.class), Map.entry("ENETWORK", LakebaseTransientException.class),
            Map.entry("ESERVER", LakebaseTransientException.class),
            Map.entry("ETIMEOUT", LakebaseTimeoutException.class),
            Map.entry("EPROTOCOL", LakebaseApiException.class), Map.entry("ECLOSED", LakebaseClosedException.class),
            Map.entry("EHANDLE", LakebaseClosedException.class),
            Map.entry("ECALLBACK", LakebaseCallbackException.class), Map.entry("ERANGE", LakebaseException.class),
            Map.entry("EINTERNAL", LakebaseException.class), Map.entry("ELOGIN", LakebaseLoginException.class),
            Map.entry("ESQL", LakebaseSqlException.class),
            Map.entry("ECONNECTION", LakebaseConnectionException.class),
            Map.entry("ECANCELED", LakebaseCanceledException.class));

    @Test
    void every_code_the_core_names_maps_to_its_subclass() {
        NativeLoader.load();
        int seen = 0;
        for (int code = -1; code >= -100; code--) {
            String name = NativeApi.errorName(code);
            if (name.equals("EUNKNOWN")) {
                continue;
            }
            seen++;
            assertTrue(EXPECTED.containsKey(name), "a code this test does not know: " + name);
            LakebaseException e = LakebaseException.fromNative(code, name, "m", 401, "API", "28P01");
            assertSame(EXPECTED.get(name), e.getClass(), name);
            assertEquals(code, e.code());
            assertEquals(name, e.errorName());
            assertEquals(401, e.httpStatus());
            assertEquals("API", e.apiCode());
            assertEquals("28P01", e.sqlState());
        }
        assertEquals(EXPECTED.size(), seen);
        assertSame(LakebaseException.class, LakebaseException.fromNative(-999, "EUNKNOWN", "m", 0, "", "").getClass());
    }

    @Test
    void config_errors_name_the_key() {
        LakebaseConfigException e = assertThrows(LakebaseConfigException.class,
                () -> LakebaseConfig.builder().set("pool.max_size", "many").build());
        assertTrue(e.getMessage().contains("pool.max_size"), e.getMessage());
        assertEquals("ECONFIG", e.errorName());
        assertThrows(LakebaseConfigException.class, () -> LakebaseConfig.builder().set("no.such.key", "1").build());
        assertThrows(IllegalArgumentException.class, () -> LakebaseConfig.builder().set("pg.user", "a\0b").build());
    }

    @Test
    void version_matches_the_jar() {
        assertEquals(NativeLoader.EXPECTED_NATIVE_VERSION, NativeApi.versionNumber());
        assertTrue(LakebaseConfig.keys().contains("lakebase.endpoint"));
    }
}
