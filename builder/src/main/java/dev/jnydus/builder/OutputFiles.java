package dev.jnydus.builder;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Temporary files next to their final place, renamed into it only when the whole build succeeded
 * and deleted otherwise: a failed build leaves nothing behind.
 */
final class OutputFiles implements AutoCloseable {
    private final List<Path> temps = new ArrayList<>();

    Path temp(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path t = Files.createTempFile(dir, ".nydus-image-", ".tmp");
        temps.add(t);
        return t;
    }

    void commit(Path temp, Path target) throws IOException {
        // Temporary files are private (0600); outputs get the usual 0644.
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        temps.remove(temp);
    }

    void discard(Path temp) throws IOException {
        Files.deleteIfExists(temp);
        temps.remove(temp);
    }

    @Override
    public void close() {
        for (Path t : temps) {
            try {
                Files.deleteIfExists(t);
            } catch (IOException ignored) {
                // best effort: the build already failed with a better message
            }
        }
        temps.clear();
    }
}
