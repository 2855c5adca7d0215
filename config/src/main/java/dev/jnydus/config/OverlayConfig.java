package dev.jnydus.config;

import java.util.Objects;

/** A writable passthrough upper layer over RAFS (v2 {@code overlay}, used with --writable). */
public record OverlayConfig(String upperDir, String workDir) {
    public OverlayConfig {
        Objects.requireNonNull(upperDir, "upperDir");
        Objects.requireNonNull(workDir, "workDir");
    }
}
