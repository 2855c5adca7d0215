package dev.jnydus.builder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code fs} prefetch policy (upstream {@code builder/src/core/prefetch.rs}): patterns are
 * absolute paths read from standard input; a pattern covered by an earlier one is dropped. Every
 * node is offered in layout order; a node matching a pattern exactly becomes that pattern's
 * prefetch-table entry, and regular files at or below a pattern are dumped first into the blob, in
 * pattern order.
 */
final class Prefetch {
    private final boolean enabled;
    /** Pattern → matched node (null until matched), in input order. */
    private final Map<String, Node> patterns = new LinkedHashMap<>();
    private final List<Node> prefetchFiles = new ArrayList<>();
    private final List<Integer> prefetchRank = new ArrayList<>();
    private final List<Node> others = new ArrayList<>();
    private Map<String, Integer> rank;

    Prefetch(List<String> input) {
        this.enabled = input != null;
        if (input != null) {
            for (String line : input) {
                String p = normalize(line.trim());
                if (p == null) {
                    continue; // upstream warns: not an absolute path
                }
                boolean covered = false;
                for (String q = p; q != null; q = parent(q)) {
                    if (patterns.containsKey(q)) {
                        covered = true;
                        break;
                    }
                }
                if (!covered) {
                    patterns.put(p, null);
                }
            }
        }
    }

    static String normalize(String p) {
        if (!p.startsWith("/")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private static String parent(String p) {
        if (p.equals("/")) {
            return null;
        }
        int i = p.lastIndexOf('/');
        return i == 0 ? "/" : p.substring(0, i);
    }

    void insert(Node n) {
        if (!enabled || (n.isReg() && n.size == 0)) {
            others.add(n);
            return;
        }
        boolean exact = true;
        for (String q = n.path; q != null; q = parent(q)) {
            if (patterns.containsKey(q)) {
                if (exact) {
                    patterns.put(q, n);
                }
                if (n.isReg()) {
                    prefetchFiles.add(n);
                    prefetchRank.add(indexOf(q));
                } else {
                    others.add(n);
                }
                return;
            }
            exact = false;
        }
        others.add(n);
    }

    private int indexOf(String pattern) {
        if (rank == null) {
            rank = new java.util.HashMap<>();
            for (String k : patterns.keySet()) {
                rank.put(k, rank.size());
            }
        }
        return rank.get(pattern);
    }

    /** Nodes in blob dump order: prefetch files by pattern order (stable), then the rest. */
    List<Node> dumpOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prefetchFiles.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(prefetchRank.get(a), prefetchRank.get(b)));
        List<Node> out = new ArrayList<>(prefetchFiles.size() + others.size());
        for (int i : order) {
            out.add(prefetchFiles.get(i));
        }
        out.addAll(others);
        return out;
    }

    /** Matched pattern nodes in pattern order: the prefetch table. Empty for policy none. */
    List<Node> tableNodes() {
        List<Node> out = new ArrayList<>();
        for (Node n : patterns.values()) {
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    boolean enabled() {
        return enabled;
    }
}
