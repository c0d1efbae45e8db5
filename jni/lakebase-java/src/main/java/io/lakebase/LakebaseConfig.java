package io.lakebase;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A liblakebase configuration: the core's string keys (docs/configuration.md:
 * {@code workspace.host}, {@code auth.client_id}, {@code lakebase.endpoint},
 * {@code pool.max_size}...), a DSN, a workspace token source, a logger and a
 * span listener.
 * What is not set here comes from the environment and the
 * {@code ~/.databrickscfg} profile, then the core's defaults, exactly as in C.
 * Immutable; {@link Builder#build()} validates every key and value.
 *
 * <pre>{@code
 * LakebaseConfig config = LakebaseConfig.builder()
 *         .set("lakebase.endpoint", "projects/p/branches/main/endpoints/primary")
 *         .set("pool.max_size", "16")
 *         .logger(System.getLogger("lakebase"))
 *         .build();
 * }</pre>
 *
 * Handles made from one configuration share its token source, and so the
 * core's credential provider for it (one mint per token lifetime).
 */
public final class LakebaseConfig {
    private final List<Entry> entries;
    private final LakebaseTokenSource tokenSource;
    private final System.Logger logger;
    private final LakebaseSpanListener spanListener;
    private final Callbacks.Hooks hooks;

    private LakebaseConfig(Builder b) {
        this.entries = Collections.unmodifiableList(new ArrayList<>(b.entries));
        this.tokenSource = b.tokenSource;
        this.logger = b.logger;
        this.spanListener = b.spanListener;
        int maxLevel = logger == null ? 0 : Callbacks.maxLevel(logger);
        if (tokenSource != null || maxLevel > 0 || spanListener != null) {
            Callbacks.Hooks h = Callbacks.register(maxLevel > 0 ? logger : null, tokenSource, spanListener);
            this.hooks = h;
            // The configuration's own reference; handles made from it hold theirs.
            Cleaner.Cleanable unused = NativeHandle.CLEANER.register(this, h::release);
        } else {
            this.hooks = null;
        }
    }

    /** A configuration from the environment and profile alone. */
    public static LakebaseConfig fromEnvironment() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's settings, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.entries.addAll(entries);
        b.tokenSource = tokenSource;
        b.logger = logger;
        b.spanListener = spanListener;
        return b;
    }

    /**
     * Makes a native configuration, hands it to {@code make} (which creates a
     * handle from it) and frees it. The hooks are retained for the handle
     * (release them when it is closed) and returned through holder[0].
     */
    long makeNative(LongFunction<Long> make, Callbacks.Hooks[] holder) {
        NativeLoader.load();
        long cfg = NativeApi.configNew();
        try {
            apply(cfg);
            if (hooks != null) {
                hooks.retain();
            }
            try {
                long handle = make.apply(cfg);
                holder[0] = hooks;
                return handle;
            } catch (LakebaseException e) {
                releaseHooks();
                throw Callbacks.explain(e, hooks);
            } catch (RuntimeException | Error e) {
                releaseHooks();
                throw e;
            }
        } finally {
            NativeApi.configFree(cfg);
        }
    }

    private void releaseHooks() {
        if (hooks != null) {
            hooks.release();
        }
    }

    private void apply(long cfg) {
        for (Entry e : entries) {
            if (e.key == null) {
                byte[] dsn = Utf8.of(e.value, "the DSN");
                try {
                    NativeApi.configSetDsn(cfg, dsn);
                } finally {
                    Utf8.wipe(dsn);
                }
                continue;
            }
            byte[] key = Utf8.of(e.key, "a configuration key");
            byte[] value = Utf8.of(e.value, "the value of " + e.key);
            try {
                NativeApi.configSet(cfg, key, value);
            } finally {
                Utf8.wipe(value);
            }
        }
        if (hooks != null && hooks.source != null) {
            NativeApi.configSetTokenSource(cfg, hooks.id);
        }
        if (hooks != null && hooks.logger != null) {
            NativeApi.configSetLogger(cfg, hooks.id, Callbacks.maxLevel(hooks.logger));
        }
        if (hooks != null && hooks.spanListener != null) {
            NativeApi.configSetSpanListener(cfg, hooks.id);
        }
    }

    /** The keys set, in order (values are left out: some are secrets). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("LakebaseConfig[");
        for (int i = 0; i < entries.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(entries.get(i).key == null ? "dsn" : entries.get(i).key);
        }
        if (tokenSource != null) {
            s.append(entries.isEmpty() ? "" : ", ").append("tokenSource");
        }
        return s.append(']').toString();
    }

    /** The core's configuration keys, in the order of docs/configuration.md. */
    public static List<String> keys() {
        NativeLoader.load();
        return List.of(NativeApi.configKeys());
    }

    private static final class Entry {
        final String key; // null: a DSN
        final String value; // null: unset

        Entry(String key, String value) {
            this.key = key;
            this.value = value;
        }
    }

    /** Collects settings in order; later settings of a key win, as in C. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private LakebaseTokenSource tokenSource;
        private System.Logger logger;
        private LakebaseSpanListener spanListener;

        private Builder() {}

        /** Sets a key; a null value unsets it (the environment and profile apply again). */
        public Builder set(String key, String value) {
            entries.add(new Entry(Objects.requireNonNull(key, "key"), value));
            return this;
        }

        /** Sets an integer-valued key ({@code pool.max_size}...). */
        public Builder set(String key, long value) {
            return set(key, Long.toString(value));
        }

        /** Sets a boolean key ({@code config.use_environment}...). */
        public Builder set(String key, boolean value) {
            return set(key, Boolean.toString(value));
        }

        public Builder unset(String key) {
            return set(key, (String) null);
        }

        /** Applies a libpq DSN or postgres:// URL (host, port, dbname, user, password, sslmode, application_name). */
        public Builder dsn(String dsn) {
            entries.add(new Entry(null, Objects.requireNonNull(dsn, "dsn")));
            return this;
        }

        /** Workspace tokens from the application (auth.type "external", or no other auth method set). */
        public Builder tokenSource(LakebaseTokenSource source) {
            this.tokenSource = source;
            return this;
        }

        /** The library's events (never secrets), at the levels the logger takes. */
        public Builder logger(System.Logger logger) {
            this.logger = logger;
            return this;
        }

        /**
         * A span for each credential mint attempt and each new connection of the handles made from this
         * configuration (null: none). {@code io.lakebase.otel.OpenTelemetrySpanListener} makes them
         * OpenTelemetry spans.
         */
        public Builder spanListener(LakebaseSpanListener listener) {
            this.spanListener = listener;
            return this;
        }

        /** Validates every key and value (LakebaseConfigException names the key and the fix). */
        public LakebaseConfig build() {
            LakebaseConfig config = new LakebaseConfig(this);
            NativeLoader.load();
            long cfg = NativeApi.configNew();
            try {
                config.apply(cfg);
            } finally {
                NativeApi.configFree(cfg);
            }
            return config;
        }
    }
}
