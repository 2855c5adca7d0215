package dev.jnydus.daemon;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run-time configuration values of {@code GET}/{@code PUT /api/v1/config} (spec 2.7), stored
 * as upstream does under {@code "<id>:<key>"}; only upstream's keys are accepted.
 */
public final class RuntimeConfig {
    public static final String REGISTRY_AUTH = "registry_auth";
    /** The keys upstream knows. */
    public static final Set<String> KEYS = Set.of(REGISTRY_AUTH, "dragonfly_scheduler_endpoint", "proxy_url");

    private final Map<String, String> values = new TreeMap<>();

    /**
     * Stores {@code updates} under {@code id} (all or nothing).
     *
     * @throws IllegalArgumentException naming the first unknown key
     */
    public synchronized void update(String id, Map<String, String> updates) {
        for (String k : updates.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown configuration key " + k + " (known: "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        updates.forEach((k, v) -> values.put(id + ":" + k, v));
    }

    /**
     * Takes the values a predecessor had ({@code "<id>:<key>"} as {@link #get} returns them without
     * an id); keys this version does not know are left out.
     */
    public synchronized void restore(Map<String, String> keyed) {
        keyed.forEach((k, v) -> {
            int colon = k.lastIndexOf(':');
            if (colon >= 0 && KEYS.contains(k.substring(colon + 1))) {
                values.put(k, v);
            }
        });
    }

    /** With an id: that id's keys and values; without: every value keyed {@code "<id>:<key>"}. */
    public synchronized Map<String, String> get(Optional<String> id) {
        if (id.isEmpty()) {
            return new TreeMap<>(values);
        }
        String prefix = id.get() + ":";
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
