package dev.jnydus.backend.options;

import java.nio.file.Path;

/** The {@code localdisk} backend: blobs are GPT partitions of {@code device_path}. */
public record LocalDiskOptions(Path devicePath, boolean disableGpt) implements BackendOptions {

    public LocalDiskOptions {
        if (devicePath == null || devicePath.toString().isEmpty()) {
            throw new IllegalArgumentException("localdisk device_path must not be empty");
        }
    }

    @Override
    public String type() {
        return "localdisk";
    }
}
