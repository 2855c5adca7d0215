package dev.jnydus.testkit.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The distribution registry (Debian package {@code docker-registry}) run by a test: its own
 * config, storage and log in a temporary directory, HTTP on a free port of 127.0.0.1, anonymous,
 * htpasswd basic auth, or bearer tokens from a {@link TokenIssuer}. It can be killed and started
 * again on the same port with the same storage, to play a registry that crashes mid-read.
 *
 * <pre>{@code
 * try (RegistryServer reg = RegistryServer.anonymous().start()) {
 *     String digest = reg.pushBlob("library/test", bytes);   // hex, no "sha256:"
 *     ... RegistryOptions.of("http", reg.hostPort(), "library/test") ...
 * }
 * }</pre>
 *
 * Blobs are pushed through the registry's HTTP API ({@code POST /v2/<repo>/blobs/uploads/}, then
 * {@code PUT <location>&digest=sha256:<hex>}), with whatever credentials the auth mode needs.
 */
public final class RegistryServer implements AutoCloseable {
    public static final String BINARY = "docker-registry";

    private enum Auth { NONE, HTPASSWD, TOKEN }

    private final Auth auth;
    private final String user;
    private final String password;
    private final TokenIssuer issuer;
    private final LocalServer registry;
    private final Path dir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(5)).build();

    private RegistryServer(Auth auth, String user, String password, TokenIssuer issuer) throws IOException {
        this.auth = auth;
        this.user = user;
        this.password = password;
        this.issuer = issuer;
        this.registry = new LocalServer("docker-registry", "jnydus-registry-");
        this.dir = registry.dir();
        this.port = registry.port();
    }

    /** A registry anyone may pull from and push to. */
    public static RegistryServer anonymous() throws IOException {
        return new RegistryServer(Auth.NONE, null, null, null);
    }

    /** A registry behind htpasswd basic auth for one user (bcrypt, via {@code htpasswd -B}). */
    public static RegistryServer htpasswd(String user, String password) throws IOException {
        return new RegistryServer(Auth.HTPASSWD, user, password, null);
    }

    /**
     * A registry that wants bearer tokens from {@code issuer}; {@code user}/{@code password} are the
     * credentials the harness pushes with (the issuer must know them).
     */
    public static RegistryServer token(TokenIssuer issuer, String user, String password) throws IOException {
        return new RegistryServer(Auth.TOKEN, user, password, issuer);
    }

    /** Writes the config and starts the registry; waits until it answers (30 s at most). */
    public RegistryServer start() throws IOException {
        return start(Duration.ofSeconds(30));
    }

    /**
     * As {@link #start()}, waiting up to {@code patience} for the registry to listen and answer: an
     * emulated guest runs the registry many times slower than the host.
     */
    public synchronized RegistryServer start(Duration patience) throws IOException {
        if (registry.running()) {
            return this;
        }
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, config());
        registry.start(List.of(BINARY, "serve", config.toString()), dir.resolve("registry.log"), patience);
        awaitApi(patience);
        return this;
    }

    /** Stops the registry gracefully (SIGTERM); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        registry.stop();
    }

    /** Kills the registry (SIGKILL), as a crash; {@link #start()} brings it back. */
    public synchronized void kill() {
        registry.kill();
    }

    /**
     * Stops the registry with SIGSTOP: connections are still accepted by the kernel but nothing
     * answers, as a registry that hangs; clients see their timeouts. {@link #thaw()} resumes it.
     */
    public synchronized void freeze() throws IOException {
        signal("STOP");
    }

    /** Resumes a {@link #freeze() frozen} registry (SIGCONT). */
    public synchronized void thaw() throws IOException {
        signal("CONT");
    }

    private void signal(String name) throws IOException {
        if (!registry.running()) {
            throw new IOException("registry is not running");
        }
        try {
            Process k = new ProcessBuilder("kill", "-" + name, Long.toString(registry.pid())).redirectErrorStream(true)
                    .start();
            String out = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (k.waitFor() != 0) {
                throw new IOException("kill -" + name + " " + registry.pid() + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public synchronized boolean running() {
        return registry.running();
    }

    /** The process id, or -1 before the first start. */
    public synchronized long pid() {
        return registry.pid();
    }

    /** The temporary directory with config, storage and log (gone after {@link #close()}). */
    public Path directory() {
        return dir;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, the {@code host} of a registry backend. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return "http://" + hostPort();
    }

    /** base64 {@code user:password}, the {@code auth} of a registry backend; null when anonymous. */
    public String basicAuth() {
        return user == null ? null : Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    public String logTail() {
        return registry.logTail();
    }

    /**
     * Access log lines so far (the registry's own log, with its other lines left out): the
     * request counts a test asserts come from here, independent of the client's metrics.
     */
    public List<String> accessLog() throws IOException {
        Path log = dir.resolve("registry.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches("^\\S+ - \\S+ \\[[^]]+] \"[A-Z]+ .*")).toList();
    }

    /** Blob GETs the registry answered with a 2xx status (whole blobs and ranges alike). */
    public long blobReads() throws IOException {
        return accessLog().stream().filter(l -> l.contains("\"GET /v2/") && l.contains("/blobs/sha256:")
                && l.matches(".*\" 20[0-9] .*")).count();
    }

    /**
     * The file in the registry's storage holding the blob {@code hexDigest}: the registry serves it
     * as it is, without checking its digest, so a test may tamper with it to play a corrupt origin.
     */
    public Path blobDataFile(String hexDigest) {
        return dir.resolve("storage/docker/registry/v2/blobs/sha256").resolve(hexDigest.substring(0, 2))
                .resolve(hexDigest).resolve("data");
    }

    /** Pushes {@code data} as a blob of {@code repo}; returns its sha256 in hex. */
    public String pushBlob(String repo, byte[] data) throws IOException {
        String hex = sha256(data);
        String authz = authorization(repo);
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        if (authz != null) {
            post.header("Authorization", authz);
        }
        HttpResponse<String> started = send(post.build());
        if (started.statusCode() != 202) {
            throw new IOException("upload start for " + repo + " answered " + started.statusCode() + ": "
                    + started.body());
        }
        String location = started.headers().firstValue("Location").orElseThrow(() -> new IOException(
                "upload start without Location"));
        URI put = URI.create(url()).resolve(location);
        String sep = put.getRawQuery() == null ? "?" : "&";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(put + sep + "digest=sha256:" + hex))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).timeout(Duration.ofSeconds(60));
        if (authz != null) {
            b.header("Authorization", authz);
        }
        HttpResponse<String> done = send(b.build());
        if (done.statusCode() != 201) {
            throw new IOException("blob upload for " + repo + " answered " + done.statusCode() + ": " + done.body());
        }
        return hex;
    }

    /** Pushes a file as a blob; returns its sha256 in hex. */
    public String pushBlob(String repo, Path file) throws IOException {
        return pushBlob(repo, Files.readAllBytes(file));
    }

    private String authorization(String repo) throws IOException {
        switch (auth) {
            case HTPASSWD:
                return "Basic " + basicAuth();
            case TOKEN:
                return "Bearer " + issuer.issue(user, List.of("repository:" + repo + ":pull,push"));
            default:
                return null;
        }
    }

    private HttpResponse<String> send(HttpRequest r) throws IOException {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void awaitApi(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                int code = send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2))
                        .GET().build()).statusCode();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            ManagedProcess.sleep(50);
        }
        throw new IOException("registry API not ready: " + last + "\n" + logTail());
    }

    private String config() throws IOException {
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n");
        y.append("log:\n  level: info\n  accesslog:\n    disabled: false\n");
        y.append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("storage")).append('\n');
        y.append("  delete:\n    enabled: true\n");
        y.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        y.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        y.append("  secret: jnydus-test-secret\n");
        switch (auth) {
            case HTPASSWD -> {
                Path htpasswd = dir.resolve("htpasswd");
                if (!Files.exists(htpasswd)) {
                    Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false)
                            .start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    try {
                        if (p.waitFor() != 0) {
                            throw new IOException("htpasswd failed");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    Files.writeString(htpasswd, out.strip() + "\n");
                }
                y.append("auth:\n  htpasswd:\n    realm: jnydus-basic-realm\n    path: ").append(htpasswd)
                        .append('\n');
            }
            case TOKEN -> y.append("auth:\n  token:\n    realm: ").append(issuer.realm())
                    .append("\n    service: ").append(TokenIssuer.SERVICE)
                    .append("\n    issuer: ").append(TokenIssuer.ISSUER)
                    .append("\n    rootcertbundle: ").append(issuer.certificatePem()).append('\n');
            default -> {
            }
        }
        return y.toString();
    }

    /** Lower-case hex SHA-256, the blob id of {@code data}. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        registry.close(false);
    }
}
