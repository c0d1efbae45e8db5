package io.lakebase;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java side of the core's callbacks. The core gets a hooks id as the
 * userdata of a configuration's logger, span listener and token source, never
 * a reference. The core never calls a freed handle's logger or span listener
 * (both are per handle since 0.3) and never calls a token source once its provider's last handle is
 * freed; should a call still come through an id whose hooks were released,
 * it only drops the event (or fails the token request), never touches a
 * freed object. Ids are never reused. A hooks entry lives while its
 * {@link LakebaseConfig} is reachable and while any handle made from it is
 * open (reference counted).
 */
final class Callbacks {
    private static final ConcurrentHashMap<Long, Hooks> LIVE = new ConcurrentHashMap<>();
    private static final AtomicLong LAST_ID = new AtomicLong();

    private Callbacks() {}

    /** The callbacks of one configuration. */
    static final class Hooks {
        final long id;
        final System.Logger logger;
        final LakebaseTokenSource source;
        final LakebaseSpanListener spanListener;
        private int refs = 1;
        volatile Throwable lastFailure;

        private Hooks(long id, System.Logger logger, LakebaseTokenSource source, LakebaseSpanListener spanListener) {
            this.id = id;
            this.logger = logger;
            this.source = source;
            this.spanListener = spanListener;
        }

        void retain() {
            synchronized (this) {
                if (refs == 0) {
                    throw new IllegalStateException("callbacks already released");
                }
                refs++;
            }
        }

        void release() {
            synchronized (this) {
                if (--refs > 0) {
                    return;
                }
            }
            LIVE.remove(id);
        }
    }

    static Hooks register(System.Logger logger, LakebaseTokenSource source, LakebaseSpanListener spanListener) {
        Hooks h = new Hooks(LAST_ID.incrementAndGet(), logger, source, spanListener);
        LIVE.put(h.id, h);
        return h;
    }

    static boolean isLive(long id) {
        return LIVE.containsKey(id);
    }

    static System.Logger.Level level(int lakebaseLevel) {
        switch (lakebaseLevel) {
            case 1:
                return System.Logger.Level.ERROR;
            case 2:
                return System.Logger.Level.WARNING;
            case 3:
                return System.Logger.Level.INFO;
            default:
                return System.Logger.Level.DEBUG;
        }
    }

    /** The most verbose LAKEBASE_LOG_* level the logger takes, or 0 for none. */
    static int maxLevel(System.Logger logger) {
        for (int level = 4; level >= 1; level--) {
            if (logger.isLoggable(level(level))) {
                return level;
            }
        }
        return 0;
    }

    /** Called by the glue (any thread). Never throws. */
    static void log(long id, int level, String message) {
        try {
            Hooks h = LIVE.get(id);
            if (h != null && h.logger != null) {
                h.logger.log(level(level), message);
            }
        } catch (Throwable ignored) {
            // A logger must not break the library's thread.
        }
    }

    /**
     * Called by the glue (any thread) with one finished span: its error as the
     * core's code, name and message (errorCode 0: none) and its attributes
     * (values are Long or String). Never throws.
     */
    static void span(long id, String name, long startEpochNanos, long endEpochNanos, int errorCode,
            String errorName, String errorMessage, String[] keys, Object[] values) {
        try {
            Hooks h = LIVE.get(id);
            if (h == null || h.spanListener == null) {
                return;
            }
            LakebaseException error = errorCode == 0 ? null
                    : LakebaseException.fromNative(errorCode, errorName, errorMessage, 0, null, null);
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (int i = 0; i < keys.length; i++) {
                attributes.put(keys[i], values[i]);
            }
            h.spanListener.spanEnded(new LakebaseFinishedSpan(name, startEpochNanos, endEpochNanos, error,
                    Collections.unmodifiableMap(attributes)));
        } catch (Throwable ignored) {
            // A listener must not break the library's thread.
        }
    }

    /**
     * Called by the glue (any thread): writes the UTF-8 token and a NUL into
     * buf and returns its expiry (epoch ms, 0 when unknown), or -1 when the
     * source failed (the cause is kept for the exception the call raises).
     */
    static long token(long id, byte[] buf) {
        Hooks h = LIVE.get(id);
        if (h == null || h.source == null) {
            return -1;
        }
        LakebaseTokenSource.Token t = null;
        try {
            t = h.source.token();
            if (t == null) {
                throw new IllegalStateException("the LakebaseTokenSource returned null");
            }
            int n = encode(t.value(), buf);
            if (n < 0) {
                throw new IllegalArgumentException(
                        "the workspace token is longer than " + (buf.length - 1) + " bytes");
            }
            h.lastFailure = null;
            return t.expiresAt() == null ? 0 : Math.max(1, t.expiresAt().toEpochMilli());
        } catch (Throwable e) {
            Arrays.fill(buf, (byte) 0);
            h.lastFailure = e;
            return -1;
        } finally {
            if (t != null) {
                t.wipe();
            }
        }
    }

    /** UTF-8 of chars into buf with a NUL after it; its length, or -1 if it does not fit. */
    private static int encode(char[] chars, byte[] buf) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder();
        ByteBuffer out = ByteBuffer.wrap(buf, 0, buf.length - 1);
        CoderResult r = enc.encode(CharBuffer.wrap(chars), out, true);
        if (r.isOverflow() || enc.flush(out).isOverflow()) {
            return -1;
        }
        if (r.isError()) {
            throw new IllegalArgumentException("the workspace token is not valid text");
        }
        buf[out.position()] = 0;
        return out.position();
    }

    /** Makes the source's failure the cause of a callback error. */
    static LakebaseException explain(LakebaseException e, Hooks h) {
        if (e instanceof LakebaseCallbackException && h != null && e.getCause() == null) {
            Throwable cause = h.lastFailure;
            if (cause != null) {
                e.initCause(cause);
            }
        }
        return e;
    }
}
