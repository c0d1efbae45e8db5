package io.lakebase.jdbc;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebaseCredential;
import io.lakebase.LakebaseCredentials;
import io.lakebase.LakebaseException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A pgjdbc password plugin (pgjdbc 42.3.2 or newer) for set-ups that only
 * have a JDBC URL: every login gets the current Lakebase credential as its
 * password.
 *
 * <pre>
 * jdbc:postgresql://HOST:5432/databricks_postgres?user=ROLE&amp;sslmode=require
 *     &amp;authenticationPluginClassName=io.lakebase.jdbc.LakebaseAuthenticationPlugin
 *     &amp;lakebase.endpoint=projects/p/branches/main/endpoints/primary
 * </pre>
 *
 * Host, port, database and user come from the URL (the role must be the
 * identity that mints); every connection property named like a core
 * configuration key ({@code lakebase.endpoint}, {@code workspace.host},
 * {@code auth.client_id}...) configures the credential provider, and the
 * environment and {@code ~/.databrickscfg} fill in the rest. Connections
 * with equal such properties share one provider handle for the life of the
 * process (one mint per token lifetime).
 */
public final class LakebaseAuthenticationPlugin implements AuthenticationPlugin {
    private static final ConcurrentHashMap<Map<String, String>, LakebaseCredentials> PROVIDERS =
            new ConcurrentHashMap<>();

    private final Properties info;

    /** pgjdbc makes one instance per login with the connection's properties. */
    public LakebaseAuthenticationPlugin(Properties info) {
        this.info = info;
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        char[] handed = PasswordHandoff.take(info.getProperty(PasswordHandoff.PROPERTY));
        if (handed != null) {
            return handed;
        }
        try (LakebaseCredential cred = provider(coreSettings(info)).get()) {
            return cred.token().clone();
        } catch (LakebaseException e) {
            throw new PSQLException("Lakebase credential: " + e.getMessage(),
                    PSQLState.INVALID_AUTHORIZATION_SPECIFICATION, e);
        }
    }

    /** The connection properties that are core configuration keys, sorted. */
    static Map<String, String> coreSettings(Properties info) {
        Map<String, String> out = new TreeMap<>();
        for (String key : LakebaseConfig.keys()) {
            String v = info.getProperty(key);
            if (v != null) {
                out.put(key, v);
            }
        }
        return out;
    }

    private static LakebaseCredentials provider(Map<String, String> settings) {
        return PROVIDERS.computeIfAbsent(settings, s -> {
            LakebaseConfig.Builder b = LakebaseConfig.builder();
            s.forEach(b::set);
            return LakebaseCredentials.create(b.build());
        });
    }
}
