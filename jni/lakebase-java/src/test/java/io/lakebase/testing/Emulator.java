package io.lakebase.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakebase.LakebaseConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The emulator started by ctest's "emulator" fixture: its env file
 * ({@code export KEY='value'} lines, named by $LAKEBASE_EMULATOR_ENV_FILE)
 * and its control API ({@code /emulator/...}, HTTPS with the emulator's CA).
 */
public final class Emulator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private final HttpClient http;

    private Emulator(Map<String, String> env) throws IOException {
        this.env = env;
        // HTTP/1.1: less to initialise than h2 on the first (cold) connection.
        this.http = HttpClient.newBuilder().sslContext(trusting(Path.of(get("LAKEBASE_CA_FILE"))))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** The fixture's emulator ($LAKEBASE_EMULATOR_ENV_FILE). */
    public static Emulator fromEnvironment() throws IOException {
        String file = System.getenv("LAKEBASE_EMULATOR_ENV_FILE");
        if (file == null || file.isEmpty()) {
            throw new IllegalStateException("LAKEBASE_EMULATOR_ENV_FILE is not set: run the tests through ctest "
                    + "(ctest --test-dir build -L java), which starts the emulator");
        }
        return load(Path.of(file));
    }

    public static Emulator load(Path envFile) throws IOException {
        return new Emulator(parse(Files.readString(envFile)));
    }

    /** Reads export KEY='value' lines as a POSIX shell would ('\'' inside quotes). */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (!line.startsWith("export ")) {
                continue;
            }
            String rest = line.substring(7);
            int eq = rest.indexOf('=');
            if (eq < 0) {
                continue;
            }
            StringBuilder v = new StringBuilder();
            boolean quoted = false;
            for (int i = eq + 1; i < rest.length(); i++) {
                char c = rest.charAt(i);
                if (c == '\'') {
                    quoted = !quoted;
                } else if (c == '\\' && !quoted && i + 1 < rest.length()) {
                    v.append(rest.charAt(++i));
                } else {
                    v.append(c);
                }
            }
            out.put(rest.substring(0, eq), v.toString());
        }
        return out;
    }

    public Map<String, String> env() {
        return env;
    }

    public String get(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException("the emulator's env file has no " + key);
        }
        return v;
    }

    /** A configuration of service principal #1 on the endpoint, through the TLS login proxy. */
    public LakebaseConfig.Builder config() {
        return LakebaseConfig.builder()
                .set("config.use_environment", false)
                .set("workspace.host", get("DATABRICKS_HOST"))
                .set("auth.client_id", get("DATABRICKS_CLIENT_ID"))
                .set("auth.client_secret", get("DATABRICKS_CLIENT_SECRET"))
                .set("http.ca_file", get("LAKEBASE_CA_FILE"))
                .set("lakebase.endpoint", get("LAKEBASE_ENDPOINT"))
                .set("pg.port", get("EMULATOR_PROXY_PORT"))
                .set("pg.sslrootcert", get("LAKEBASE_CA_FILE"))
                .set("pg.sslmode", "verify-full");
    }

    /**
     * A workspace OAuth token of a service principal (client credentials at
     * the workspace's /oidc/v1/token), as the platform forwards one for a user.
     */
    public String oauthToken(String clientId, String clientSecret) throws IOException {
        String basic = java.util.Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        HttpRequest req = HttpRequest.newBuilder(URI.create(get("DATABRICKS_HOST") + "/oidc/v1/token"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=all-apis"))
                .build();
        String token = send(req, "/oidc/v1/token").path("access_token").asText("");
        if (token.isEmpty()) {
            throw new IOException("/oidc/v1/token answered no access_token for " + clientId);
        }
        return token;
    }

    /** POSTs body (JSON, or null) to a control path; fails on a non-2xx answer. */
    public JsonNode post(String path, String body) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(get("EMULATOR_URL") + path))
                .timeout(Duration.ofSeconds(60))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        return send(req, path);
    }

    public JsonNode getJson(String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(get("EMULATOR_URL") + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        return send(req, path);
    }

    public JsonNode stats() throws IOException {
        return getJson("/emulator/stats");
    }

    public void reset() throws IOException {
        post("/emulator/reset", null);
    }

    public void knobs(String json) throws IOException {
        post("/emulator/knobs", json);
    }

    /**
     * Sends a control request, again (twice at most) when the connection
     * fails before any answer. Why: the emulator's HTTPS server drops a
     * connection whose TLS handshake is not done 10 s after it was accepted,
     * and a JVM's first handshake runs the TLS stack's class initialisation
     * (~0.4 s of CPU) inside that window; on the shared 2-vCPU VM, where a
     * process can get a few percent of a CPU for seconds, that was measured
     * at 6-14 s. Later handshakes are warm. Every control request may be
     * repeated: stats and knobs read or set absolute values, reset resets.
     */
    private JsonNode send(HttpRequest req, String path) throws IOException {
        IOException dropped = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            HttpResponse<String> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (dropped != null) {
                    e.addSuppressed(dropped);
                }
                dropped = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(path + ": interrupted", e);
            }
            if (r.statusCode() / 100 != 2) {
                throw new IOException(path + ": HTTP " + r.statusCode() + ": " + r.body());
            }
            return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        }
        throw new IOException(path + ": no answer from the emulator in 3 connections", dropped);
    }

    private static SSLContext trusting(Path caFile) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot trust " + caFile + ": " + e, e);
        }
    }
}
