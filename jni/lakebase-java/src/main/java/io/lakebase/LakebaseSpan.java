package io.lakebase;

import java.util.ArrayList;
import java.util.List;

/**
 * One span name of the core's table (docs/observability.md), read through
 * {@code lakebase_span_at}.
 *
 * @param name the span's name ({@code lakebase.credential.mint}, {@code lakebase.connect})
 * @param description one line
 * @param attributes the keys of its attributes
 */
public record LakebaseSpan(String name, String description, List<String> attributes) {
    private static final List<LakebaseSpan> TABLE;

    static {
        NativeLoader.load();
        List<LakebaseSpan> table = new ArrayList<>();
        for (int i = 0;; i++) {
            String[] s = NativeApi.spanAt(i);
            if (s == null) {
                break;
            }
            table.add(new LakebaseSpan(s[0], s[1], LakebaseMetric.keys(s[2])));
        }
        TABLE = List.copyOf(table);
    }

    /** The core's span table, in its order. */
    public static List<LakebaseSpan> table() {
        return TABLE;
    }
}
