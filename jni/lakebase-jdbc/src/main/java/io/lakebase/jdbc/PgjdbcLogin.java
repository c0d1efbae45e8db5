package io.lakebase.jdbc;

import io.lakebase.LakebaseCredential;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLNonTransientConnectionException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where and how pgjdbc logs in with a credential, as the core resolved it:
 * host (or {@code pg.hostaddr}), port, database and the connection
 * properties {@code user}, {@code sslmode}, {@code sslrootcert} and
 * {@code ApplicationName}. The password is not here: it travels apart, as a
 * char[].
 */
final class PgjdbcLogin {
    private final String url;
    private final Map<String, String> properties = new TreeMap<>();

    private PgjdbcLogin(String url) {
        this.url = url;
    }

    static PgjdbcLogin of(LakebaseCredential cred) throws SQLNonTransientConnectionException {
        PgjdbcLogin login = new PgjdbcLogin(
                "jdbc:postgresql://" + bracketed(connectHost(cred)) + ":" + cred.port() + "/" + cred.database());
        login.properties.put("user", cred.user());
        login.properties.put("sslmode", cred.sslmode());
        cred.sslrootcert().ifPresent(v -> login.properties.put("sslrootcert", v));
        cred.applicationName().ifPresent(v -> login.properties.put("ApplicationName", v));
        return login;
    }

    /**
     * pgjdbc has no hostaddr: it verifies the certificate against the host it
     * connects to. So pg.hostaddr replaces the host, except with verify-full,
     * where the name to verify would be lost.
     */
    private static String connectHost(LakebaseCredential cred) throws SQLNonTransientConnectionException {
        if (cred.hostaddr().isEmpty()) {
            return cred.host();
        }
        if ("verify-full".equals(cred.sslmode())) {
            throw new SQLNonTransientConnectionException("pgjdbc cannot connect to pg.hostaddr ("
                    + cred.hostaddr().get() + ") and verify the certificate of pg.host (" + cred.host()
                    + ") as sslmode=verify-full asks: unset pg.hostaddr (PGHOSTADDR) so pgjdbc resolves the host, "
                    + "or use sslmode=verify-ca", "08001");
        }
        return cred.hostaddr().get();
    }

    private static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** {@code jdbc:postgresql://host:port/database}. */
    String url() {
        return url;
    }

    /** The URL with the connection properties but the user as its query, for pools that take only a URL. */
    String urlWithQuery() {
        StringBuilder s = new StringBuilder(url);
        char sep = '?';
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (!e.getKey().equals("user")) {
                s.append(sep).append(e.getKey()).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return s.toString();
    }

    /**
     * The connection properties over {@code base}: the caller's sslrootcert
     * or ApplicationName wins; user and sslmode are always the core's (it
     * validated the sslmode).
     */
    Properties properties(Properties base) {
        Properties out = new Properties();
        out.putAll(base);
        properties.forEach(out::putIfAbsent);
        out.setProperty("user", properties.get("user"));
        out.setProperty("sslmode", properties.get("sslmode"));
        return out;
    }
}
