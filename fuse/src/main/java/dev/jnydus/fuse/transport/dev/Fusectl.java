package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * The control files of FUSE connections ({@code fusectl}, {@code <root>/<connection id>/<file>}):
 * {@code abort} on every kernel that mounts fusectl; {@code resend} and {@code flush} only on
 * kernels that carry them (Alibaba Cloud Linux; mainline has neither and offers
 * {@code FUSE_NOTIFY_RESEND} on the device instead, see {@link FuseSession#notifyResend}).
 *
 * <p>As upstream nydusd, a write tries {@code /proc/sys/fs/fuse/connections} first, then
 * {@code /sys/fs/fuse/connections}: a root where the file cannot be opened is skipped, a write
 * that fails is the answer.
 */
public final class Fusectl {
    /** Where upstream looks, in its order. */
    public static final List<Path> ROOTS = List.of(Path.of("/proc/sys/fs/fuse/connections"),
            Path.of("/sys/fs/fuse/connections"));

    private final List<Path> roots;

    public Fusectl() {
        this(ROOTS);
    }

    /** For tests: other roots, tried in order. */
    public Fusectl(List<Path> roots) {
        this.roots = List.copyOf(Objects.requireNonNull(roots, "roots"));
        if (this.roots.isEmpty()) {
            throw new IllegalArgumentException("no fusectl root");
        }
    }

    /** Requests in flight on the connection are queued again for whoever reads the device next. */
    public void resend(long connectionId) throws IOException {
        write(connectionId, "resend");
    }

    /** Requests in flight on the connection are ended (their callers get an error). */
    public void flush(long connectionId) throws IOException {
        write(connectionId, "flush");
    }

    /** Ends the connection: every request fails with ENOTCONN, readers of the device get ENODEV. */
    public void abort(long connectionId) throws IOException {
        write(connectionId, "abort");
    }

    /**
     * Writes "1" to {@code <root>/<connectionId>/<file>} under the first root where it opens.
     *
     * @throws FsException ENOENT naming every place looked at when none has the file
     */
    public void write(long connectionId, String file) throws IOException {
        IOException last = null;
        for (Path root : roots) {
            Path p = root.resolve(Long.toString(connectionId)).resolve(file);
            OutputStream out;
            try {
                out = Files.newOutputStream(p, StandardOpenOption.WRITE);
            } catch (IOException e) {
                last = e;
                continue;
            }
            try (out) {
                out.write("1".getBytes(StandardCharsets.US_ASCII));
            }
            return;
        }
        if (last instanceof NoSuchFileException || last == null) {
            throw new FsException(Errno.ENOENT, "no fusectl file " + connectionId + "/" + file + " under " + roots
                    + " (fusectl not mounted, or this kernel has no " + file + " control)");
        }
        throw last;
    }
}
