package io.lakebase;

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

    /** Made by the glue. */
    LakebaseResult(String command, long rowsAffected, String[] names, int[] types, Object[] cells) {
        this.command = command;
        this.rowsAffected = rowsAffected;
        this.names = names;
        this.types = types;
        this.cells = cells;
        this.rowCount = names.length == 0 ? 0 : cells.length / names.length;
        for (int c = 0; c < types.length; c++) {
            if (types[c] != TIMESTAMPTZ) {
                continue;
            }
            for (int i = c; i < cells.length; i += names.length) {
                if (cells[i] instanceof Long) {
                    long us = (Long) cells[i];
                    cells[i] = Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000)
                            .atOffset(ZoneOffset.UTC);
                }
            }
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
