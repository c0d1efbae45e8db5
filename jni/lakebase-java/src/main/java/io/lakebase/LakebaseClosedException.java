package io.lakebase;

/** The native object was closed by the library (ECLOSED), or a handle was stale (EHANDLE). */
public class LakebaseClosedException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseClosedException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
