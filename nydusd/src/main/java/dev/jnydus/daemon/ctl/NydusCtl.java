package dev.jnydus.daemon.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code nydusctl}: what an operator asks a running nydusd, without {@code curl --unix-socket}.
 *
 * <pre>
 * nydusctl --sock PATH info                      state, version, commit, mounts
 * nydusctl --sock PATH mounts                    one line per mount
 * nydusctl --sock PATH metrics [--id ID]         filesystem, backend and cache metrics (JSON)
 * nydusctl --sock PATH metrics --prometheus      the Prometheus text
 * nydusctl --sock PATH set log-level LEVEL       trace, debug, info, warn, error or off
 * </pre>
 * {@code --raw} prints the daemon's JSON as it is. Exit status 0, or 1 with an {@code Error:} line
 * (the daemon's error message when it answered with one).
 */
public final class NydusCtl {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String USAGE = """
            Usage: nydusctl --sock <api socket> [--raw] <command>
            Commands:
              info                         daemon state, version, git commit and mounts
              mounts                       the mounted images, one per line
              metrics [--id ID]            filesystem, backend and blob cache metrics
              metrics --prometheus         every metric in the Prometheus text format
              set log-level LEVEL          change the daemon's log level (trace..error, off)
            """;

    private final PrintStream out;
    private final PrintStream err;

    NydusCtl(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] argv) {
        System.exit(new NydusCtl(System.out, System.err).run(argv));
    }

    /** Thrown for anything that ends the command with exit status 1. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    int run(String... argv) {
        List<String> args = new ArrayList<>(List.of(argv));
        String sock = null;
        boolean raw = false;
        String id = null;
        boolean prometheus = false;
        List<String> words = new ArrayList<>();
        for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
            String a = it.next();
            switch (a) {
                case "--sock", "-S" -> sock = it.hasNext() ? it.next() : null;
                case "--raw" -> raw = true;
                case "--id" -> id = it.hasNext() ? it.next() : null;
                case "--prometheus" -> prometheus = true;
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> words.add(a);
            }
        }
        if (sock == null || words.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        try (ApiClient api = ApiClient.connect(Path.of(sock))) {
            String cmd = String.join(" ", words.subList(0, Math.min(2, words.size())));
            if (words.get(0).equals("info")) {
                info(api, raw);
            } else if (words.get(0).equals("mounts")) {
                mounts(api, raw);
            } else if (words.get(0).equals("metrics")) {
                metrics(api, id, prometheus);
            } else if (cmd.equals("set log-level") && words.size() == 3) {
                call(api, "PUT", "/api/v1/daemon", JSON.createObjectNode().put("log_level", words.get(2)).toString());
                out.println("log level set to " + words.get(2));
            } else {
                err.print(USAGE);
                return 2;
            }
            return 0;
        } catch (Failure e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: cannot talk to nydusd at " + sock + ": " + e.getMessage());
            return 1;
        }
    }

    /** Sends one request; an error answer becomes a {@link Failure} carrying the daemon's message. */
    private static String call(ApiClient api, String method, String path, String body)
            throws IOException, Failure {
        ApiClient.Response r = api.send(method, path, body);
        if (r.status() == 200 || r.status() == 204) {
            return r.body();
        }
        String message = r.body();
        try {
            JsonNode e = JSON.readTree(r.body());
            if (e != null && e.has("message")) {
                message = e.get("message").asText();
            }
        } catch (IOException ignored) {
            // Not the daemon's JSON error body: show it as it came.
        }
        throw new Failure("HTTP " + r.status() + ": " + message);
    }

    private void info(ApiClient api, boolean raw) throws IOException, Failure {
        String body = call(api, "GET", "/api/v1/daemon", null);
        if (raw) {
            out.println(body);
            return;
        }
        JsonNode d = JSON.readTree(body);
        JsonNode v = d.get("version");
        out.println("State:       " + d.get("state").asText());
        out.println("Version:     " + v.get("package_ver").asText());
        out.println("Git commit:  " + v.get("git_commit").asText());
        out.println("Build time:  " + v.get("build_time").asText());
        out.println("Runtime:     " + v.get("rustc").asText());
        if (!d.get("id").isNull()) {
            out.println("ID:          " + d.get("id").asText());
        }
        if (!d.get("supervisor").isNull()) {
            out.println("Supervisor:  " + d.get("supervisor").asText());
        }
        JsonNode c = d.get("backend_collection");
        out.println("Mounts:      " + (c == null || c.isNull() ? "(none: no filesystem service)" : c.size()));
        printMounts(c);
    }

    private void mounts(ApiClient api, boolean raw) throws IOException, Failure {
        JsonNode c = JSON.readTree(call(api, "GET", "/api/v1/daemon", null)).get("backend_collection");
        if (raw) {
            out.println(c);
            return;
        }
        printMounts(c);
    }

    private void printMounts(JsonNode c) {
        if (c == null || c.isNull()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue();
            JsonNode cfg = m.get("config");
            String backend = cfg != null && cfg.has("backend") ? cfg.get("backend").get("type").asText() : "-";
            out.printf("  %-30s %-6s backend %-10s mounted %s%n", e.getKey(), m.get("backend_type").asText(), backend,
                    m.get("mounted_time").asText());
        }
    }

    private void metrics(ApiClient api, String id, boolean prometheus) throws IOException, Failure {
        if (prometheus) {
            out.print(call(api, "GET", "/api/v1/metrics/prometheus", null));
            return;
        }
        String q = id == null ? "" : "?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        var doc = JSON.createObjectNode();
        doc.set("filesystem", JSON.readTree(call(api, "GET", "/api/v1/metrics" + q, null)));
        doc.set("backend", JSON.readTree(call(api, "GET", "/api/v1/metrics/backend" + q, null)));
        doc.set("blobcache", JSON.readTree(call(api, "GET", "/api/v1/metrics/blobcache" + q, null)));
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    }
}
