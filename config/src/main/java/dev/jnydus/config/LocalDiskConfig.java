package dev.jnydus.config;

import java.util.Objects;

/**
 * Blobs as GPT partitions of a block device or disk image (spec 2.4 {@code localdisk}).
 *
 * @param disableGpt do not discover blobs by scanning the GPT
 */
public record LocalDiskConfig(String devicePath, boolean disableGpt) implements BackendConfig {
    public LocalDiskConfig {
        Objects.requireNonNull(devicePath, "devicePath");
    }

    @Override
    public String type() {
        return LOCALDISK;
    }
}
