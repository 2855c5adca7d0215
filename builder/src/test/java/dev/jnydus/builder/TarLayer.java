package dev.jnydus.builder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Writes an OCI-style layer tar (optionally gzipped) entry by entry, all with one fixed mtime. */
final class TarLayer implements AutoCloseable {
    static final long MTIME = 1_600_000_000L;

    private final TarArchiveOutputStream tar;

    TarLayer(Path file, boolean gzip) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        if (gzip) {
            out = new GZIPOutputStream(out);
        }
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private TarArchiveEntry entry(String name, byte type, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(mode);
        e.setModTime(java.nio.file.attribute.FileTime.from(Instant.ofEpochSecond(MTIME)));
        e.setUserId(0);
        e.setGroupId(0);
        return e;
    }

    TarLayer dir(String name) throws IOException {
        tar.putArchiveEntry(entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, 0755));
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer file(String name, byte[] content) throws IOException {
        return file(name, content, 0644, 0, 0);
    }

    TarLayer file(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TarLayer file(String name, byte[] content, int mode, int uid, int gid) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer fileWithXattr(String name, String content, String xattr, String value) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0644);
        e.setSize(b.length);
        e.addPaxHeader("SCHILY.xattr." + xattr, value);
        tar.putArchiveEntry(e);
        tar.write(b);
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer symlink(String name, String target) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer hardlink(String name, String target) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644);
        e.setLinkName(target);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer fifo(String name) throws IOException {
        tar.putArchiveEntry(entry(name, TarConstants.LF_FIFO, 0644));
        tar.closeArchiveEntry();
        return this;
    }

    TarLayer charDevice(String name, int major, int minor) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR, 0666);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        return this;
    }

    @Override
    public void close() throws IOException {
        tar.finish();
        tar.close();
    }
}
