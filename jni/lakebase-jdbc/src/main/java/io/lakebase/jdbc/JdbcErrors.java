package io.lakebase.jdbc;

import io.lakebase.LakebaseAuthException;
import io.lakebase.LakebaseConfigException;
import io.lakebase.LakebaseException;
import io.lakebase.LakebaseTransientException;
import java.sql.SQLException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** A credential failure as the SQLException a JDBC pool understands (the LakebaseException is the cause). */
final class JdbcErrors {
    private JdbcErrors() {}

    static SQLException toSql(LakebaseException e) {
        String message = "Lakebase credential: " + e.getMessage();
        if (e instanceof LakebaseAuthException) {
            return new SQLInvalidAuthorizationSpecException(message, "28000", e);
        }
        if (e instanceof LakebaseTransientException) {
            return new SQLTransientConnectionException(message, "08001", e);
        }
        if (e instanceof LakebaseConfigException) {
            return new SQLNonTransientConnectionException(message, "08001", e);
        }
        return new SQLNonTransientConnectionException(message, "08000", e);
    }
}
