package io.lakebase;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of one statement, read in full (no native memory stays
 * behind). Values are typed by the column's type OID: int2/int4 ->
 * {@link Integer}, int8/oid -> {@link Long}, float4/float8 -> {@link Double},
 * bool -> {@link Boolean}, bytea -> {@code byte[]}, timestamptz ->
 * {@link OffsetDateTime} (UTC), SQL NULL -> null, and every other type
 * (numeric, text, date, timestamp, json, uuid, arrays...) -> its text as the
 * server prints it, a {@link String}. A timestamptz the typed form cannot
 * hold ('infinity') stays text.
 */
public final class LakebaseResult {
    /** PostgreSQL type OIDs (LAKEBASE_TYPE_* in lakebase.h). */
    public static final int BOOL = 16, BYTEA = 17, INT8 = 20, INT2 = 21, INT4 = 23, TEXT = 25, OID = 26,
            JSON = 114, FLOAT4 = 700, FLOAT8 = 701, VARCHAR = 1043, DATE = 1082, TIME = 1083, TIMESTAMP = 1114,
            TIMESTAMPTZ = 1184, NUMERIC = 1700, UUID = 2950, JSONB = 3802;

    private final String command;
    private final long rowsAffected;
    private final String[] names;
    private final int[] types;
    private final Object[] cells; // row-major
    private final int rowCount;

    /** Cell tags of the glue's packed cells (lbj_result.c). */
    private static final byte CELL_NULL = 0, CELL_TEXT = 1, CELL_INT = 2, CELL_LONG = 3, CELL_DOUBLE = 4,
            CELL_BOOL = 5, CELL_BYTES = 6, CELL_TIMESTAMP_US = 7;

    private LakebaseResult(String command, long rowsAffected, String[] names, int[] types, Object[] cells,
            int rowCount) {
        this.command = command;
        this.rowsAffected = rowsAffected;
        this.names = names;
        this.types = types;
        this.cells = cells;
        this.rowCount = rowCount;
    }

    /**
     * Made by the glue: {@code packed} holds the rows' cells in row-major order,
     * each a tag byte and its value in the platform's byte order (lengths as
     * 32-bit counts before text, UTF-8, and bytes).
     */
    static LakebaseResult fromNative(String command, long rowsAffected, String[] names, int[] types,
            byte[] packed, int rows) {
        int rowCount = names.length == 0 ? 0 : rows;
        Object[] cells = new Object[rowCount * names.length];
        ByteBuffer in = ByteBuffer.wrap(packed).order(ByteOrder.nativeOrder());
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cell(in, packed);
        }
        return new LakebaseResult(command, rowsAffected, names, types, cells, rowCount);
    }

    private static Object cell(ByteBuffer in, byte[] packed) {
        byte tag = in.get();
        switch (tag) {
            case CELL_NULL:
                return null;
            case CELL_INT:
                return in.getInt();
            case CELL_LONG:
                return in.getLong();
            case CELL_DOUBLE:
                return in.getDouble();
            case CELL_BOOL:
                return in.get() != 0;
            case CELL_TIMESTAMP_US: {
                long us = in.getLong();
                return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000)
                        .atOffset(ZoneOffset.UTC);
            }
            case CELL_TEXT:
            case CELL_BYTES: {
                int len = in.getInt();
                int at = in.position();
                in.position(at + len);
                return tag == CELL_TEXT ? new String(packed, at, len, StandardCharsets.UTF_8)
                        : Arrays.copyOfRange(packed, at, at + len);
            }
            default:
                throw new IllegalStateException("unknown cell tag " + tag + " from the native library");
        }
    }

    /** The command tag: "SELECT 1", "INSERT 0 3". */
    public String command() {
        return command;
    }

    /** Rows affected by INSERT/UPDATE/DELETE/SELECT..., or -1. */
    public long rowsAffected() {
        return rowsAffected;
    }

    public int rowCount() {
        return rowCount;
    }

    public int columnCount() {
        return names.length;
    }

    public String columnName(int column) {
        return names[column];
    }

    /** The column's type OID (see the constants). */
    public int columnType(int column) {
        return types[column];
    }

    /** The column's index by name, or -1. */
    public int columnIndex(String name) {
        for (int c = 0; c < names.length; c++) {
            if (names[c].equals(name)) {
                return c;
            }
        }
        return -1;
    }

    public List<String> columnNames() {
        return List.of(names);
    }

    /** A cell, typed as the class comment says; null for SQL NULL. */
    public Object get(int row, int column) {
        if (row < 0 || row >= rowCount || column < 0 || column >= names.length) {
            throw new IndexOutOfBoundsException("row " + row + " column " + column + " of a result with " + rowCount
                    + " rows and " + names.length + " columns");
        }
        return cells[row * names.length + column];
    }

    public Object get(int row, String column) {
        int c = columnIndex(column);
        if (c < 0) {
            throw new IllegalArgumentException("no column named " + column + " (columns: " + columnNames() + ")");
        }
        return get(row, c);
    }

    /** The only value of a one-row, one-column result ({@code SELECT count(*) ...}). */
    public Object scalar() {
        if (rowCount != 1 || names.length != 1) {
            throw new IllegalStateException(
                    "not a single value: " + rowCount + " rows, " + names.length + " columns");
        }
        return cells[0];
    }

    /** The rows, each a list of its cells. */
    public List<List<Object>> rows() {
        return new AbstractList<>() {
            @Override
            public List<Object> get(int row) {
                int w = names.length;
                return Arrays.asList(Arrays.copyOfRange(cells, row * w, row * w + w));
            }

            @Override
            public int size() {
                return rowCount;
            }
        };
    }

    @Override
    public String toString() {
        return "LakebaseResult[" + command + ", columns=" + columnNames() + ", rows=" + rowCount + "]";
    }
}
