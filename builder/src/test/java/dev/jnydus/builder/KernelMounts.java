package dev.jnydus.builder;

import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop devices and mounts for tests, released in reverse order by {@link #close()} even when the
 * test failed. Nothing stays attached or mounted after a test.
 */
final class KernelMounts implements AutoCloseable {
    private final List<String> loops = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();

    /** Attaches {@code file} read-only to a free loop device and returns its path. */
    String loop(Path file) throws IOException, InterruptedException {
        // losetup warns on stderr about files that are not a multiple of 512 bytes; the device
        // name is the only line on stdout.
        Process p = new ProcessBuilder("losetup", "--find", "--show", "--read-only", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dev = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0 || !dev.startsWith("/dev/loop")) {
            throw new IOException("losetup " + file + " failed: " + dev);
        }
        loops.add(dev);
        return dev;
    }

    /** Mounts a RAFS v6 bootstrap with the kernel's EROFS, its blobs as extra devices. */
    Path mountErofs(Path bootstrap, List<Path> blobs, Path mountpoint) throws IOException, InterruptedException {
        StringBuilder opts = new StringBuilder("ro");
        for (Path b : blobs) {
            opts.append(",device=").append(loop(b));
        }
        String meta = loop(bootstrap);
        Files.createDirectories(mountpoint);
        Privileged.run("mount", "-t", "erofs", "-o", opts.toString(), meta, mountpoint.toString());
        mounts.add(mountpoint);
        return mountpoint;
    }

    /** Mounts overlayfs read-only with {@code lowers} (uppermost first). */
    Path mountOverlay(List<Path> lowers, Path mountpoint) throws IOException, InterruptedException {
        Files.createDirectories(mountpoint);
        StringBuilder lowerdir = new StringBuilder();
        for (Path l : lowers) {
            lowerdir.append(lowerdir.length() == 0 ? "" : ":").append(l);
        }
        Privileged.run("mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + lowerdir, mountpoint.toString());
        mounts.add(mountpoint);
        return mountpoint;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (int i = mounts.size() - 1; i >= 0; i--) {
            try {
                Privileged.run("umount", mounts.get(i).toString());
            } catch (IOException e) {
                first = first == null ? e : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? new IOException("interrupted while unmounting", e) : first;
            }
        }
        mounts.clear();
        for (int i = loops.size() - 1; i >= 0; i--) {
            try {
                Privileged.run("losetup", "-d", loops.get(i));
            } catch (IOException e) {
                first = first == null ? e : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? new IOException("interrupted while detaching loops", e) : first;
            }
        }
        loops.clear();
        if (first != null) {
            throw first;
        }
    }
}
