package io.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Per-user pool sets without the network: the core's checks reach Java, and a closed set throws. */
class PoolSetTest {
    private static LakebaseConfig.Builder setConfig() {
        return LakebaseConfig.builder().set("config.use_environment", false)
                .set("workspace.host", "https://127.0.0.1:1")
                .set("lakebase.endpoint", "projects/p/branches/b/endpoints/e");
    }

    @Test
    void the_core_refuses_a_set_without_room_or_with_an_identity() {
        LakebaseException noRoom = assertThrows(LakebaseException.class,
                () -> LakebasePoolSet.create(setConfig().build(), 0, Duration.ofMinutes(1)));
        assertEquals("EINVAL", noRoom.errorName());
        LakebaseException noEviction = assertThrows(LakebaseException.class,
                () -> LakebasePoolSet.create(setConfig().build(), 1, Duration.ZERO));
        assertEquals("EINVAL", noEviction.errorName());
        LakebaseConfigException identity = assertThrows(LakebaseConfigException.class,
                () -> LakebasePoolSet.create(setConfig().set("pg.user", "someone").build(), 1, Duration.ofMinutes(1)));
        assertTrue(identity.getMessage().contains("pg.user"), identity.getMessage());
    }

    @Test
    void a_closed_set_throws_illegal_state_and_double_close_is_harmless() {
        LakebasePoolSet set = LakebasePoolSet.create(setConfig().build(), 2, Duration.ofMinutes(1));
        assertEquals(0, set.stats().pools());
        assertThrows(IllegalArgumentException.class, () -> set.acquire("a\0b", "token".toCharArray()));
        set.close();
        set.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> set.acquire("alice", "token".toCharArray()));
        assertTrue(e.getMessage().contains("LakebasePoolSet is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, set::stats);
        assertThrows(IllegalStateException.class, () -> set.metrics("users"));
    }
}
