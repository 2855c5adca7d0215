package dev.jnydus.testkit.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * nginx (Debian package {@code nginx}) run by a test with its own {@code -c} config, {@code -p}
 * prefix, pid and logs, {@code daemon off}, on a free port of 127.0.0.1. Two shapes:
 * <ul>
 *   <li>{@link #mirrorOf}: a registry mirror in front of a {@link RegistryServer} that refuses (403)
 *       any request without the configured header, as a Dragonfly mirror configured with
 *       {@code X-Dragonfly-Registry} would be reached;</li>
 *   <li>{@link #forwardProxy}: an HTTP forward proxy, standing in for dfdaemon's proxy, with a
 *       health endpoint at {@code /server/ping}, optionally refusing requests without a header.</li>
 * </ul>
 * {@link #stop()} and {@link #start()} take it away and bring it back on the same port; the access
 * log tells which requests went through it.
 */
public final class NginxMirror implements AutoCloseable {
    public static final String BINARY = "nginx";
    public static final String PING_PATH = "/server/ping";

    private final LocalServer nginx;
    private final Path dir;
    private final int port;
    private final String server;

    private NginxMirror(String serverBlockBody) throws IOException {
        this.nginx = new LocalServer("nginx", "jnydus-nginx-");
        this.dir = nginx.dir();
        this.port = nginx.port();
        this.server = serverBlockBody;
    }

    /**
     * A mirror of {@code upstream} that answers 403 unless the request carries
     * {@code header: value}. Requests pass on with their Host and Authorization.
     */
    public static NginxMirror mirrorOf(RegistryServer upstream, String header, String value) throws IOException {
        String var = "$http_" + header.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        return new NginxMirror(""
                + "    location / {\n"
                + "      if (" + var + " != \"" + value + "\") { return 403 \"mirror: missing " + header + "\\n\"; }\n"
                + "      proxy_pass http://" + upstream.hostPort() + ";\n"
                + "      proxy_set_header Host $http_host;\n"
                + "      proxy_http_version 1.1;\n"
                + "      proxy_buffering off;\n"
                + "      proxy_request_buffering off;\n"
                + "    }\n");
    }

    /**
     * A forward proxy for plain-HTTP origins (absolute-form requests), with {@code /server/ping}
     * answering 200; when {@code requiredHeader} is not null, proxied requests without it get 403.
     */
    public static NginxMirror forwardProxy(String requiredHeader) throws IOException {
        String check = requiredHeader == null ? "" : "      if ($http_"
                + requiredHeader.toLowerCase(java.util.Locale.ROOT).replace('-', '_')
                + " = \"\") { return 403 \"proxy: missing " + requiredHeader + "\\n\"; }\n";
        return new NginxMirror(""
                + "    location = " + PING_PATH + " { return 200 \"pong\\n\"; }\n"
                + "    location / {\n"
                + check
                + "      proxy_pass http://$http_host$request_uri;\n"
                + "      proxy_set_header Host $http_host;\n"
                + "      proxy_http_version 1.1;\n"
                + "      proxy_buffering off;\n"
                + "    }\n");
    }

    public synchronized NginxMirror start() throws IOException {
        if (nginx.running()) {
            return this;
        }
        for (String d : List.of("logs", "tmp/client", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")) {
            Files.createDirectories(dir.resolve(d));
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config());
        nginx.start(List.of(BINARY, "-e", dir.resolve("logs/error.log").toString(), "-c", conf.toString(), "-p",
                dir.toString() + "/"), dir.resolve("logs/stdout.log"), Duration.ofSeconds(20));
        return this;
    }

    /** Stops nginx (SIGTERM to the master, which takes its workers down). */
    public synchronized void stop() {
        nginx.stop();
    }

    public synchronized boolean running() {
        return nginx.running();
    }

    /** The master's process id, or -1 before the first start. */
    public synchronized long pid() {
        return nginx.pid();
    }

    /** The prefix directory with config and logs (gone after {@link #close()}). */
    public Path directory() {
        return dir;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}: a mirror's {@code host}, or a proxy's {@code url}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String pingUrl() {
        return url() + PING_PATH;
    }

    /** Access log lines so far. */
    public List<String> accessLog() throws IOException {
        Path log = dir.resolve("logs/access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** How many access log lines match. */
    public long count(Predicate<String> line) throws IOException {
        return accessLog().stream().filter(line).count();
    }

    /** Blob GETs nginx passed on with a 2xx status. */
    public long blobReads() throws IOException {
        return count(l -> l.contains("\"GET ") && l.contains("/blobs/sha256:") && l.matches(".*\" 20[0-9] .*"));
    }

    public String errorLogTail() throws IOException {
        Path log = dir.resolve("logs/error.log");
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private String config() {
        String p = dir.toString();
        return "daemon off;\n"
                + "worker_processes 1;\n"
                + "pid " + p + "/nginx.pid;\n"
                + "error_log " + p + "/logs/error.log info;\n"
                + "events { worker_connections 128; }\n"
                + "http {\n"
                + "  access_log " + p + "/logs/access.log;\n"
                + "  client_body_temp_path " + p + "/tmp/client;\n"
                + "  proxy_temp_path " + p + "/tmp/proxy;\n"
                + "  fastcgi_temp_path " + p + "/tmp/fastcgi;\n"
                + "  uwsgi_temp_path " + p + "/tmp/uwsgi;\n"
                + "  scgi_temp_path " + p + "/tmp/scgi;\n"
                + "  client_max_body_size 0;\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ";\n"
                + server
                + "  }\n"
                + "}\n";
    }

    @Override
    public synchronized void close() {
        nginx.close(true);
    }
}
