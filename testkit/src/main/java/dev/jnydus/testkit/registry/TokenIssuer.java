package dev.jnydus.testkit.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bearer-token issuer for {@link RegistryServer}, as the distribution token spec describes it:
 * {@code GET /token?service=&scope=} and the OAuth2 {@code POST} form, HTTP Basic for the user,
 * answers {@code {"token", "access_token", "expires_in", "issued_at"}}. Tokens are JWTs signed
 * RS256 with a throw-away key whose self-signed certificate travels in {@code x5c}; the registry
 * trusts that certificate through its {@code rootcertbundle} ({@link #certificatePem()}).
 *
 * <p>Users get pull and push; anonymous callers get pull when {@link #allowAnonymousPull} is on.
 */
public final class TokenIssuer implements AutoCloseable {
    public static final String SERVICE = "jnydus-test-registry";
    public static final String ISSUER = "jnydus-test-issuer";

    private final Path dir;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Path certPem;
    private final HttpServer server;
    private final Map<String, String> users = new ConcurrentHashMap<>();
    private volatile boolean allowAnonymousPull;
    private volatile long expiresInSeconds = 300;
    private volatile boolean postAllowed = true;
    private volatile boolean getAllowed = true;
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger gets = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    private TokenIssuer(Path dir, PrivateKey key, X509Certificate cert, Path certPem, HttpServer server) {
        this.dir = dir;
        this.key = key;
        this.cert = cert;
        this.certPem = certPem;
        this.server = server;
    }

    /** Generates a key pair (JDK keytool) and starts serving on a free port of 127.0.0.1. */
    public static TokenIssuer start() throws IOException {
        Path dir = Files.createTempDirectory("jnydus-token-issuer-");
        try {
            Path p12 = dir.resolve("token.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process kt = new ProcessBuilder(keytool, "-genkeypair", "-alias", "token", "-keyalg", "RSA", "-keysize",
                    "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=jnydus-token-issuer", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "changeit", "-keypass",
                    "changeit").redirectErrorStream(true).start();
            String out = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kt.waitFor() != 0) {
                throw new IOException("keytool failed: " + out);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, "changeit".toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("token", "changeit".toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate("token");
            Path pem = dir.resolve("token.pem");
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            TokenIssuer issuer = new TokenIssuer(dir, key, cert, pem, server);
            server.createContext("/token", issuer::handle);
            server.start();
            return issuer;
        } catch (GeneralSecurityException e) {
            ManagedProcess.deleteTree(dir);
            throw new IOException("cannot set up the token key: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ManagedProcess.deleteTree(dir);
            throw new IOException("interrupted", e);
        } catch (IOException | RuntimeException e) {
            ManagedProcess.deleteTree(dir);
            throw e;
        }
    }

    public TokenIssuer withUser(String user, String password) {
        users.put(user, password);
        return this;
    }

    public TokenIssuer allowAnonymousPull(boolean allow) {
        this.allowAnonymousPull = allow;
        return this;
    }

    public TokenIssuer expiresIn(long seconds) {
        this.expiresInSeconds = seconds;
        return this;
    }

    /** Answer the POST form with 405, so clients must use GET. */
    public TokenIssuer refusePost(boolean refuse) {
        this.postAllowed = !refuse;
        return this;
    }

    /** Answer GET with 405, so clients must fall back to the POST form. */
    public TokenIssuer refuseGet(boolean refuse) {
        this.getAllowed = !refuse;
        return this;
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificatePem() {
        return certPem;
    }

    public int tokensIssued() {
        return issued.get();
    }

    public int postRequests() {
        return posts.get();
    }

    public int getRequests() {
        return gets.get();
    }

    public int refusedRequests() {
        return refused.get();
    }

    /** A token for {@code user} (null = anonymous) with these scopes, as a client would get it. */
    public String issue(String user, List<String> scopes) throws IOException {
        try {
            return jwt(user, scopes, expiresInSeconds);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String params;
            if (method.equals("POST")) {
                posts.incrementAndGet();
                if (!postAllowed) {
                    reply(ex, 405, "{\"error\":\"use GET\"}");
                    return;
                }
                params = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            } else {
                gets.incrementAndGet();
                if (!getAllowed) {
                    reply(ex, 405, "{\"error\":\"use POST\"}");
                    return;
                }
                params = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            }
            List<String> scopes = new ArrayList<>();
            String service = null;
            for (String kv : params.split("&")) {
                int eq = kv.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String k = URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("scope")) {
                    scopes.addAll(List.of(v.split(" ")));
                } else if (k.equals("service")) {
                    service = v;
                }
            }
            if (!SERVICE.equals(service)) {
                refused.incrementAndGet();
                reply(ex, 400, "{\"error\":\"unknown service\"}");
                return;
            }
            String user = null;
            String authz = ex.getRequestHeaders().getFirst("Authorization");
            if (authz != null && authz.startsWith("Basic ")) {
                String up = new String(Base64.getDecoder().decode(authz.substring(6).trim()), StandardCharsets.UTF_8);
                int c = up.indexOf(':');
                String u = c < 0 ? up : up.substring(0, c);
                String p = c < 0 ? "" : up.substring(c + 1);
                if (!p.equals(users.get(u))) {
                    refused.incrementAndGet();
                    reply(ex, 401, "{\"error\":\"bad credentials\"}");
                    return;
                }
                user = u;
            } else if (!allowAnonymousPull) {
                refused.incrementAndGet();
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
                reply(ex, 401, "{\"error\":\"credentials required\"}");
                return;
            }
            String token = jwt(user, scopes, expiresInSeconds);
            issued.incrementAndGet();
            reply(ex, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":"
                    + expiresInSeconds + ",\"issued_at\":\"" + Instant.now() + "\"}");
        } catch (GeneralSecurityException e) {
            reply(ex, 500, "{\"error\":\"" + e + "\"}");
        }
    }

    private String jwt(String user, List<String> scopes, long ttl) throws GeneralSecurityException {
        long now = Instant.now().getEpochSecond();
        StringBuilder access = new StringBuilder("[");
        for (String scope : scopes) {
            String[] parts = scope.split(":");
            if (parts.length < 3 || !parts[0].equals("repository")) {
                continue;
            }
            String name = String.join(":", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1));
            Set<String> granted = new LinkedHashSet<>();
            for (String a : parts[parts.length - 1].split(",")) {
                if (a.equals("pull") || (a.equals("push") && user != null)) {
                    granted.add(a);
                }
            }
            if (access.length() > 1) {
                access.append(',');
            }
            access.append("{\"type\":\"repository\",\"name\":\"").append(name).append("\",\"actions\":[");
            access.append(String.join(",", granted.stream().map(a -> "\"" + a + "\"").toList())).append("]}");
        }
        access.append(']');
        String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\""
                + Base64.getEncoder().encodeToString(cert.getEncoded()) + "\"]}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + (user == null ? "" : user) + "\",\"aud\":\""
                + SERVICE + "\",\"exp\":" + (now + ttl) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now
                + ",\"jti\":\"" + UUID.randomUUID() + "\",\"access\":" + access + "}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ManagedProcess.deleteTree(dir);
    }
}
