package io.lakebase.testing;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * A test class against the fixture's emulator (tag "emulator": run only
 * when $LAKEBASE_EMULATOR_ENV_FILE is set), reset before every test.
 */
@Tag("emulator")
public abstract class EmulatorTest {
    protected static Emulator emu;

    @BeforeAll
    static void connectEmulator() throws Exception {
        emu = Emulator.fromEnvironment();
    }

    @BeforeEach
    void resetEmulator() throws Exception {
        emu.reset();
    }
}
