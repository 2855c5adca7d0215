package dev.jnydus.daemon.upgrade;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state a daemon hands its successor through the supervisor (spec 4.5): which kind of daemon
 * it is, the kernel session it leaves behind, its mounts as typed entries, and the run-time
 * configuration set through the API. Serialised as versioned JSON ({@code docs/upgrade.md});
 * upstream's binary format is not read, so a Rust nydusd cannot hand over to this one.
 *
 * <p>Compatibility: a reader accepts every version up to its own and ignores members it does not
 * know, so a state written by one release is read by the next (the snapshotter restores the state
 * saved by the daemon before an upgrade when a failover follows it). A new optional member does
 * not change the version; a change of meaning does, and then the reader of the new version still
 * reads the old one.
 *
 * @param kind the daemon's kind: {@link #FUSE}, or another driver's name
 * @param writer who wrote it ("package_ver git_commit"), for logs
 * @param fuse the FUSE connection, for a FUSE daemon
 * @param mounts the mounts, in the order they are to be restored
 * @param runtimeConfig the values of {@code PUT /api/v1/config}, keyed {@code "<id>:<key>"}
 * @param sections other drivers' top-level sections, as JSON text by name, kept as they are
 */
public record SavedState(String kind, String writer, Optional<FuseSessionState> fuse, List<SavedMount> mounts,
                         Map<String, String> runtimeConfig, Map<String, String> sections) {
    public static final String FORMAT = "jnydus-daemon-state";
    /** The version this build writes, and the newest it reads. */
    public static final int VERSION = 1;
    public static final String FUSE = "fuse";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> OWN_MEMBERS = Set.of("format", "version", "writer", "daemon", "fuse", "mounts",
            "runtime_config");

    public SavedState {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(fuse, "fuse");
        mounts = List.copyOf(mounts);
        runtimeConfig = Map.copyOf(runtimeConfig);
        sections = Map.copyOf(sections);
        for (String s : sections.keySet()) {
            if (OWN_MEMBERS.contains(s)) {
                throw new IllegalArgumentException("section " + s + " is a member of the document itself");
            }
        }
    }

    /** The document, UTF-8 JSON. */
    public byte[] toBytes() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", VERSION).put("writer", writer).put("daemon", kind);
        fuse.ifPresent(f -> root.set("fuse", fuseNode(f)));
        ArrayNode ms = root.putArray("mounts");
        for (SavedMount m : mounts) {
            ms.add(mountNode(m));
        }
        ObjectNode rc = root.putObject("runtime_config");
        new TreeMap<>(runtimeConfig).forEach(rc::put);
        for (Map.Entry<String, String> s : new TreeMap<>(sections).entrySet()) {
            try {
                root.set(s.getKey(), JSON.readTree(s.getValue()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("section " + s.getKey() + " is not JSON: " + e.getOriginalMessage(), e);
            }
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode fuseNode(FuseSessionState f) {
        ObjectNode n = JSON.createObjectNode();
        n.put("mountpoint", f.mountpoint()).put("connection_id", f.connectionId());
        FuseSessionState.Init i = f.init();
        n.putObject("init").put("major", i.major()).put("minor", i.minor()).put("flags", i.flags())
                .put("kernel_flags", i.kernelFlags()).put("max_readahead", i.maxReadahead())
                .put("max_write", i.maxWrite()).put("max_pages", i.maxPages());
        ObjectNode vfs = n.putObject("vfs");
        ArrayNode dirs = vfs.putArray("pseudo_dirs");
        for (FuseSessionState.PseudoDir d : f.vfs().dirs()) {
            dirs.addObject().put("ino", d.ino()).put("parent", d.parent()).put("name", d.name());
        }
        vfs.put("next_pseudo_ino", f.vfs().nextPseudoIno()).put("next_index", f.vfs().nextIndex());
        return n;
    }

    private static JsonNode mountNode(SavedMount m) {
        if (m instanceof SavedMount.Rafs r) {
            ObjectNode n = JSON.createObjectNode();
            n.put("type", r.type()).put("mountpoint", r.mountpoint()).put("vfs_index", r.vfsIndex())
                    .put("fs_type", r.fsType()).put("source", r.source()).put("config", r.config());
            if (r.prefetchFiles().isPresent()) {
                ArrayNode a = n.putArray("prefetch_files");
                r.prefetchFiles().get().forEach(a::add);
            } else {
                n.putNull("prefetch_files");
            }
            return n;
        }
        SavedMount.Unknown u = (SavedMount.Unknown) m;
        try {
            return JSON.readTree(u.json());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads a document written by this version or an earlier one.
     *
     * @throws StateFormatException naming what is wrong: not JSON, another format, a newer
     *     version, a missing or mistyped member
     */
    public static SavedState parse(byte[] bytes) throws StateFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StateFormatException("saved state is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new StateFormatException("saved state is not a JSON object");
        }
        String format = root.path("format").asText("");
        if (!FORMAT.equals(format)) {
            throw new StateFormatException("saved state has format '" + format + "', expected '" + FORMAT
                    + "' (a state saved by upstream's Rust nydusd cannot be taken over by jnydus)");
        }
        JsonNode v = root.get("version");
        if (v == null || !v.canConvertToInt() || v.asInt() < 1) {
            throw new StateFormatException("saved state has no valid version: " + v);
        }
        if (v.asInt() > VERSION) {
            throw new StateFormatException("saved state is version " + v.asInt() + ", written by a newer jnydus ("
                    + root.path("writer").asText("?") + "); this one reads versions up to " + VERSION);
        }
        String kind = text(root, "daemon");
        Optional<FuseSessionState> fuse = root.hasNonNull("fuse") ? Optional.of(fuse(root.get("fuse")))
                : Optional.empty();
        List<SavedMount> mounts = new ArrayList<>();
        JsonNode ms = root.path("mounts");
        if (!ms.isMissingNode() && !ms.isArray()) {
            throw new StateFormatException("saved state: mounts is not an array");
        }
        for (JsonNode m : ms) {
            mounts.add(mount(m));
        }
        Map<String, String> rc = new LinkedHashMap<>();
        JsonNode rcn = root.path("runtime_config");
        for (Iterator<Map.Entry<String, JsonNode>> it = rcn.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            rc.put(e.getKey(), e.getValue().asText());
        }
        Map<String, String> sections = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!OWN_MEMBERS.contains(e.getKey()) && e.getValue().isObject()) {
                sections.put(e.getKey(), e.getValue().toString());
            }
        }
        try {
            return new SavedState(kind, root.path("writer").asText(""), fuse, mounts, rc, sections);
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("saved state: " + e.getMessage(), e);
        }
    }

    private static FuseSessionState fuse(JsonNode n) throws StateFormatException {
        JsonNode i = required(n, "init");
        FuseSessionState.Init init = new FuseSessionState.Init(integer(i, "major"), integer(i, "minor"),
                number(i, "flags"), number(i, "kernel_flags"), integer(i, "max_readahead"), integer(i, "max_write"),
                integer(i, "max_pages"));
        JsonNode vfs = required(n, "vfs");
        List<FuseSessionState.PseudoDir> dirs = new ArrayList<>();
        for (JsonNode d : vfs.path("pseudo_dirs")) {
            dirs.add(new FuseSessionState.PseudoDir(number(d, "ino"), number(d, "parent"), text(d, "name")));
        }
        return new FuseSessionState(text(n, "mountpoint"), number(n, "connection_id"), init,
                new FuseSessionState.VfsLayout(dirs, number(vfs, "next_pseudo_ino"), integer(vfs, "next_index")));
    }

    private static SavedMount mount(JsonNode m) throws StateFormatException {
        String type = text(m, "type");
        String mountpoint = text(m, "mountpoint");
        if (!SavedMount.Rafs.TYPE.equals(type)) {
            return new SavedMount.Unknown(type, mountpoint, m.toString());
        }
        Optional<List<String>> prefetch = Optional.empty();
        JsonNode p = m.get("prefetch_files");
        if (p != null && !p.isNull()) {
            if (!p.isArray()) {
                throw new StateFormatException("saved state: prefetch_files of " + mountpoint + " is not an array");
            }
            List<String> files = new ArrayList<>();
            p.forEach(f -> files.add(f.asText()));
            prefetch = Optional.of(files);
        }
        try {
            return new SavedMount.Rafs(mountpoint, text(m, "fs_type"), text(m, "source"), text(m, "config"), prefetch,
                    integer(m, "vfs_index"));
        } catch (IllegalArgumentException e) {
            throw new StateFormatException("saved state: mount " + mountpoint + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode n, String name) throws StateFormatException {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) {
            throw new StateFormatException("saved state: missing member " + name);
        }
        return v;
    }

    private static String text(JsonNode n, String name) throws StateFormatException {
        JsonNode v = required(n, name);
        if (!v.isTextual()) {
            throw new StateFormatException("saved state: " + name + " is not a string: " + v);
        }
        return v.asText();
    }

    private static long number(JsonNode n, String name) throws StateFormatException {
        JsonNode v = required(n, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new StateFormatException("saved state: " + name + " is not an integer: " + v);
        }
        return v.asLong();
    }

    private static int integer(JsonNode n, String name) throws StateFormatException {
        JsonNode v = required(n, name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new StateFormatException("saved state: " + name + " is not a 32-bit integer: " + v);
        }
        return v.asInt();
    }

    /** For log lines. */
    public String summary() {
        return kind + " daemon state written by " + writer + ": " + mounts.size() + " mount(s)"
                + fuse.map(f -> ", FUSE connection " + f.connectionId()).orElse("");
    }
}
