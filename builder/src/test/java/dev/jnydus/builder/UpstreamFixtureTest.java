package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import dev.jnydus.common.LittleEndian;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.Fixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compatibility with upstream's builder: the tree of the upstream-built v5 fixture, extracted and
 * rebuilt with the same flags ({@code --fs-version 5 --digester sha256 --compressor none
 * --repeatable}), gives the same inode digests up to the root (the Merkle tree over every file's
 * chunks, every symlink target and the directory structure), the same chunks and the same
 * superblock counts.
 */
class UpstreamFixtureTest {
    @TempDir
    Path tmp;

    @Test
    void rebuildingTheFixtureTreeGivesUpstreamsDigestsAndChunks() throws IOException {
        Path fixture = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (RafsSuper sb = RafsSuper.open(fixture.resolve("bootstrap"));
                FileChannel blob = FileChannel.open(fixture.resolve("blobs").resolve(sb.blobs().get(0).blobId()),
                        StandardOpenOption.READ)) {
            extract(sb, blob, sb.inode(sb.rootIno()), src, new HashMap<>());
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildOptions o = BuildOptions.defaults().withFsVersion(5).withDigester(Digester.SHA256)
                .withCompressor(Compressor.NONE).withRepeatable(true);
        BuildResult r = new ImageBuilder(o, null).create(src, BuildOutputs.toDir(out.resolve("boot"), out));

        byte[] upstream = Files.readAllBytes(fixture.resolve("bootstrap"));
        byte[] ours = Files.readAllBytes(r.bootstrap());
        assertThat(Hex.of(rootDigest(ours))).isEqualTo(Hex.of(rootDigest(upstream)));
        // Flags and inode-table entries. (s_inodes_count is advisory: the 2022 builder that made the
        // fixture wrote 51 for its 52 distinct inodes; today's upstream code, like ours, writes 52.)
        assertThat(LittleEndian.i64(ours, 16)).isEqualTo(LittleEndian.i64(upstream, 16));
        assertThat(LittleEndian.u32(ours, 56)).isEqualTo(LittleEndian.u32(upstream, 56));
        assertThat(LittleEndian.i64(ours, 24)).isEqualTo(52);
        try (RafsSuper theirs = RafsSuper.open(fixture.resolve("bootstrap")); RafsSuper mine = RafsSuper.open(r.bootstrap())) {
            BlobInfo a = theirs.blobs().get(0);
            BlobInfo b = mine.blobs().get(0);
            assertThat(b.chunkCount()).isEqualTo(a.chunkCount());
            assertThat(b.uncompressedSize()).isEqualTo(a.uncompressedSize());
            assertThat(b.compressedSize()).isEqualTo(a.compressedSize());
            assertThat(b.blobId()).isEqualTo(a.blobId());
        }
    }

    /** The digest of the root inode: inode-table slot 0 points at it, the digest is its first 32 bytes. */
    private static byte[] rootDigest(byte[] boot) {
        long off = LittleEndian.u32(boot, (int) LittleEndian.i64(boot, 32)) * 8;
        byte[] d = new byte[32];
        System.arraycopy(boot, (int) off, d, 0, 32);
        return d;
    }

    private static void extract(RafsSuper sb, FileChannel blob, RafsInode dir, Path target, Map<Long, Path> links)
            throws IOException {
        java.util.List<Object[]> children = new java.util.ArrayList<>();
        sb.readdir(dir, 0, (name, ino, type, next) -> {
            String n = new String(name, StandardCharsets.UTF_8);
            if (!n.equals(".") && !n.equals("..")) {
                children.add(new Object[] {n, ino});
            }
            return true;
        });
        for (Object[] c : children) {
            RafsInode i = sb.inode((Long) c[1]);
            Path p = target.resolve((String) c[0]);
            if (i.isDir()) {
                Files.createDirectories(p);
                extract(sb, blob, i, p, links);
            } else if (i.isSymlink()) {
                // Path.of would normalise the target ("a/" to "a", "//" to "/"); ln keeps it exact.
                exec("ln", "-s", new String(i.symlinkTarget(), StandardCharsets.UTF_8), p.toString());
                exec("touch", "-h", "-d", "@" + i.mtime(), p.toString());
            } else if (i.isReg()) {
                Path first = links.putIfAbsent(i.ino(), p);
                if (first != null) {
                    Files.createLink(p, first);
                    continue;
                }
                try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                    for (FileExtent e : i.extents(0, i.size())) {
                        ChunkRef ch = ((FileExtent.Chunk) e).chunk();
                        ByteBuffer buf = ByteBuffer.allocate(ch.compressedSize());
                        blob.read(buf, ch.compressedOffset());
                        byte[] data = new byte[ch.uncompressedSize()];
                        ChunkCodec.decompress(Compressor.NONE, buf.array(), buf.capacity(), data, data.length);
                        f.seek(ch.fileOffset());
                        f.write(data);
                    }
                    f.setLength(i.size());
                }
            } else {
                throw new AssertionError("unexpected type in fixture: " + Integer.toOctalString(i.mode()));
            }
            if (!i.isSymlink()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms(i.mode())));
                Files.setLastModifiedTime(p, FileTime.fromMillis(i.mtime() * 1000));
            }
        }
    }

    private static void exec(String... cmd) throws IOException {
        try {
            dev.jnydus.testkit.Privileged.run(cmd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String perms(int mode) {
        String s = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            b.append((mode & (1 << (8 - i))) != 0 ? s.charAt(i) : '-');
        }
        return b.toString();
    }

}
