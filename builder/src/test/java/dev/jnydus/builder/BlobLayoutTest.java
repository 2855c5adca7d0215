package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.LittleEndian;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data blob of a v6 image, read the way nydusd and the fscache daemon read it (rafs-format
 * 6.5 and 7): the reverse tar headers walk the blob from its end, the ToC entries locate every
 * section and their SHA-256 match, the chunk-info array decodes to exactly the chunks the
 * bootstrap references, its header matches the blob table, the digest array holds every chunk's
 * digest, duplicate data is stored once and incompressible chunks are stored raw.
 */
class BlobLayoutTest {
    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Random r = new Random(5);
        byte[] random = new byte[(3 << 20) + 1234];
        r.nextBytes(random);
        Files.write(src.resolve("random.bin"), random);
        Files.write(src.resolve("copy.bin"), random);
        byte[] text = "some very compressible text. ".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
        Files.write(src.resolve("text.txt"), text);
        Files.write(src.resolve("small"), "tiny\n".getBytes(StandardCharsets.US_ASCII));
        Files.write(src.resolve("zeros"), new byte[5 << 20]);
        return src;
    }

    @ParameterizedTest
    @EnumSource(Compressor.class)
    void blobSectionsAreWhereTheTocSays(Compressor c) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        BuildResult res = new ImageBuilder(BuildOptions.defaults().withCompressor(c), null)
                .create(tree(), BuildOutputs.toDir(out.resolve("boot"), out));
        byte[] blob = Files.readAllBytes(res.blob());
        try (RafsSuper sb = RafsSuper.open(res.bootstrap())) {
            BlobInfo info = sb.blobs().get(0);
            assertThat(info.compressedSize()).isEqualTo(blob.length);

            // ToC: the last 512 bytes are its tar header, the entries are right before it.
            Map<String, long[]> toc = new LinkedHashMap<>();
            long tocLen = tarHeader(blob, blob.length - 512, "rafs.blob.toc");
            int tocStart = (int) (blob.length - 512 - tocLen);
            assertThat(info.tocSize()).isEqualTo(tocLen + 512);
            MessageDigest td = ChunkDigest.sha256();
            td.update(blob, tocStart, (int) tocLen + 512);
            assertThat(td.digest()).isEqualTo(info.tocDigest());
            Map<String, byte[]> digests = new HashMap<>();
            for (int o = tocStart; o < tocStart + tocLen; o += 128) {
                String name = new String(blob, o + 8, 16, StandardCharsets.US_ASCII).replace("\0", "");
                toc.put(name, new long[] {LittleEndian.i32(blob, o), LittleEndian.i64(blob, o + 56),
                    LittleEndian.i64(blob, o + 64), LittleEndian.i64(blob, o + 72)});
                digests.put(name, Arrays.copyOfRange(blob, o + 24, o + 56));
            }
            assertThat(toc.keySet()).containsExactly("image.blob", "blob.meta", "blob.meta.header", "blob.digest");

            // image.blob: chunk data from 0, followed by its tar header; digest covers both.
            long[] data = toc.get("image.blob");
            assertThat(data[1]).isZero();
            assertThat(tarHeader(blob, (int) data[2], "image.blob")).isEqualTo(data[2]);
            assertThat(sha256(blob, 0, (int) data[2] + 512)).isEqualTo(digests.get("image.blob"));
            assertThat(data[3]).isEqualTo(info.uncompressedSize());

            // blob.meta: the ci array, compressed as the blob table says, then the 4 KiB header.
            long[] meta = toc.get("blob.meta");
            assertThat(meta[1]).isEqualTo(info.ciOffset());
            assertThat(meta[2]).isEqualTo(info.ciCompressedSize());
            assertThat(meta[3]).isEqualTo(info.ciUncompressedSize());
            byte[] ci = new byte[(int) info.ciUncompressedSize()];
            if (info.ciCompressor() == Compressor.NONE) {
                System.arraycopy(blob, (int) info.ciOffset(), ci, 0, ci.length);
            } else {
                ChunkCodec.decompress(info.ciCompressor(), Arrays.copyOfRange(blob, (int) info.ciOffset(),
                        (int) (info.ciOffset() + info.ciCompressedSize())), (int) info.ciCompressedSize(), ci, ci.length);
            }
            assertThat(sha256(ci, 0, ci.length)).isEqualTo(digests.get("blob.meta"));
            int h = (int) (info.ciOffset() + info.ciCompressedSize());
            assertThat(toc.get("blob.meta.header")[1]).isEqualTo(h);
            assertThat(LittleEndian.i32(blob, h)).isEqualTo(0xB10BB10B);
            assertThat(LittleEndian.i32(blob, h + 4092)).isEqualTo(0xB10BB10B);
            assertThat(LittleEndian.i32(blob, h + 4)).isEqualTo(info.features());
            assertThat(LittleEndian.u32(blob, h + 8)).isEqualTo(info.ciCompressor().id());
            assertThat(LittleEndian.u32(blob, h + 12)).isEqualTo(info.chunkCount());
            assertThat(LittleEndian.i64(blob, h + 16)).isEqualTo(info.ciOffset());
            assertThat(LittleEndian.i64(blob, h + 24)).isEqualTo(info.ciCompressedSize());
            assertThat(LittleEndian.i64(blob, h + 32)).isEqualTo(info.ciUncompressedSize());
            assertThat(sha256(blob, h, 4096)).isEqualTo(digests.get("blob.meta.header"));
            assertThat(tarHeader(blob, h + 4096, "blob.meta")).isEqualTo(info.ciCompressedSize() + 4096);

            // blob.digest: one digest per chunk index.
            long[] dg = toc.get("blob.digest");
            assertThat(dg[2]).isEqualTo(32L * info.chunkCount());
            assertThat(tarHeader(blob, (int) (dg[1] + dg[2]), "blob.digest")).isEqualTo(dg[2]);
            assertThat(sha256(blob, (int) dg[1], (int) dg[2])).isEqualTo(digests.get("blob.digest"));

            // Every chunk the bootstrap references: ci entry, digest entry and stored bytes agree.
            RafsInode root = sb.inode(sb.rootIno());
            Set<Integer> indexes = new HashSet<>();
            int refs = 0;
            for (String f : new String[] {"random.bin", "copy.bin", "text.txt", "small", "zeros"}) {
                RafsInode i = sb.lookup(root, f.getBytes(StandardCharsets.UTF_8));
                for (FileExtent e : i.extents(0, i.size())) {
                    ChunkRef r = ((FileExtent.Chunk) e).chunk();
                    refs++;
                    indexes.add(r.chunkIndex());
                    long[] decoded = c == Compressor.GZIP ? ciV2(ci, r.chunkIndex()) : ciV1(ci, r.chunkIndex());
                    assertThat(decoded).containsExactly(r.compressedOffset(), r.compressedSize(),
                            r.uncompressedOffset(), r.uncompressedSize());
                    assertThat(r.uncompressedOffset() % 4096).isZero();
                    assertThat(Arrays.copyOfRange(blob, (int) dg[1] + 32 * r.chunkIndex(),
                            (int) dg[1] + 32 * r.chunkIndex() + 32)).isEqualTo(r.digest());
                    assertThat(r.flags() & ChunkFlags.HAS_CRC32).isNotZero();
                    if (f.equals("random.bin") || c == Compressor.NONE) {
                        assertThat(r.compressed()).as("incompressible or uncompressed chunks are stored raw").isFalse();
                        assertThat(r.compressedSize()).isEqualTo(r.uncompressedSize());
                    }
                    if (f.equals("text.txt") && c != Compressor.NONE) {
                        assertThat(r.compressed()).isTrue();
                        assertThat(r.compressedSize()).isLessThan(r.uncompressedSize());
                    }
                }
            }
            // copy.bin shares random.bin's chunks and the five zero chunks are one.
            assertThat(indexes).hasSize(info.chunkCount());
            // random 4, copy 0 (shared), text 3, small 1, zeros 1 (five identical zero chunks).
            assertThat(info.chunkCount()).isEqualTo(4 + 3 + 1 + 1);
            assertThat(refs).isEqualTo(4 + 4 + 3 + 1 + 5);
        }
    }

    @Test
    void emptySourcesMakeImagesWithoutBlobs() throws IOException {
        for (int v : new int[] {5, 6}) {
            Path src = Files.createDirectories(tmp.resolve("empty" + v + "/src/sub"));
            Files.write(src.resolve("empty-file"), new byte[0]);
            Path out = Files.createDirectories(tmp.resolve("empty" + v + "/out"));
            BuildResult r = new ImageBuilder(BuildOptions.defaults().withFsVersion(v), null)
                    .create(src.getParent(), BuildOutputs.toDir(out.resolve("boot"), out));
            assertThat(r.blob()).isNull();
            assertThat(r.blobIds()).isEmpty();
            try (var s = Files.list(out)) {
                assertThat(s.toList()).containsExactly(out.resolve("boot"));
            }
            TreeSnapshot.ofDirectory(src.getParent()).assertSameAs(TreeSnapshot.ofImage(r.bootstrap(), out),
                    TreeSnapshot.Compare.image());
        }
    }

    private static long[] ciV1(byte[] ci, int index) {
        long u = LittleEndian.i64(ci, index * 16);
        long c = LittleEndian.i64(ci, index * 16 + 8);
        long usize = ((u >>> 44) | ((u & 0xF00L) << 12)) + 1;
        long csize = ((c >>> 44) | ((c >>> 20) & 0xF0_0000L)) + 1;
        return new long[] {c & 0xFF_FFFF_FFFFL, csize, u & 0xFFF_FFFF_F000L, usize};
    }

    private static long[] ciV2(byte[] ci, int index) {
        long u = LittleEndian.i64(ci, index * 24);
        long c = LittleEndian.i64(ci, index * 24 + 8);
        return new long[] {c & 0xFF_FFFF_FFFFL, c >>> 40, (u & 0xFFFF_FFFFL) << 12, ((u >>> 32) & 0xFF_FFFF) + 1};
    }

    /** Checks a reverse tar header (name, regular file, checksum) and returns its size. */
    private static long tarHeader(byte[] b, int off, String name) {
        assertThat(new String(b, off, 100, StandardCharsets.US_ASCII).replace("\0", "")).isEqualTo(name);
        assertThat(b[off + 156]).isEqualTo((byte) '0');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (b[off + i] & 0xFF);
        }
        assertThat(Long.parseLong(new String(b, off + 148, 7, StandardCharsets.US_ASCII).trim(), 8)).isEqualTo(sum);
        return Long.parseLong(new String(b, off + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
    }

    private static byte[] sha256(byte[] b, int off, int len) {
        MessageDigest md = ChunkDigest.sha256();
        md.update(b, off, len);
        return md.digest();
    }
}
