package io.lakebase;

/** The workspace API rejected the request (EAPI), the endpoint or instance does not exist (ENOTFOUND), or its answer was malformed (EPROTOCOL). */
public class LakebaseApiException extends LakebaseException {
    private static final long serialVersionUID = 1L;

    LakebaseApiException(int code, String name, String message, int httpStatus, String apiCode, String sqlState) {
        super(code, name, message, httpStatus, apiCode, sqlState);
    }
}
