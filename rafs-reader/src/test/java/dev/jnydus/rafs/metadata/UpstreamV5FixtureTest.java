package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.testkit.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The upstream-built v5 image: superblock facts, the whole tree, hardlinks, readdir and extents. */
class UpstreamV5FixtureTest {
    private static final String BLOB = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";
    private static Path dir;
    private static RafsSuper sb;

    @BeforeAll
    static void open() throws IOException {
        dir = Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS);
        sb = RafsSuper.open(dir.resolve("bootstrap"));
    }

    @AfterAll
    static void close() throws IOException {
        sb.close();
    }

    @Test
    void superblockFacts() {
        assertThat(sb.version()).isEqualTo(RafsVersion.V5);
        assertThat(sb.flags()).isEqualTo(0x9);
        assertThat(sb.compressor()).isEqualTo(Compressor.NONE);
        assertThat(sb.digester()).isEqualTo(Digester.SHA256);
        assertThat(sb.chunkSize()).isEqualTo(0x100000);
        assertThat(sb.inodeCount()).isEqualTo(51);
        assertThat(sb.rootIno()).isEqualTo(1);
        assertThat(sb.blobs()).singleElement().satisfies(b -> {
            assertThat(b.blobId()).isEqualTo(BLOB);
            assertThat(b.chunkCount()).isEqualTo(23);
            assertThat(b.compressedSize()).isEqualTo(3508766);
            assertThat(b.uncompressedSize()).isEqualTo(3508766);
        });
        assertThat(sb.prefetchInodes()).isEmpty();
    }

    @Test
    void treeEqualsUpstreamResult() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(treeJsonPart()).get(0);
        JsonNode report = new ObjectMapper().readTree(treeJsonPart()).get(1);
        RafsInode root = sb.inode(sb.rootIno());
        int[] counts = new int[2];
        compare(expected, root, "/", counts);
        // tree(1) counts the three symlinks that resolve to directories as directories.
        assertThat(counts[0] + counts[1]).as("entries below the root")
                .isEqualTo(report.get("directories").asInt() + report.get("files").asInt());
        assertThat(counts[0]).as("real directories").isEqualTo(report.get("directories").asInt() - 3);
    }

    private void compare(JsonNode expected, RafsInode inode, String path, int[] counts) throws IOException {
        String type = expected.get("type").asText();
        switch (type) {
            case "directory" -> assertThat(inode.isDir()).as(path).isTrue();
            case "file" -> assertThat(inode.isReg()).as(path).isTrue();
            case "link" -> {
                assertThat(inode.isSymlink()).as(path).isTrue();
                assertThat(new String(inode.symlinkTarget(), StandardCharsets.UTF_8)).as(path)
                        .isEqualTo(expected.get("target").asText());
            }
            default -> throw new AssertionError("unexpected type " + type);
        }
        if (!inode.isDir()) {
            counts[1]++;
            return;
        }
        if (!path.equals("/")) {
            counts[0]++;
        }
        List<String> names = new ArrayList<>();
        sb.readdir(inode, 0, (name, ino, t, next) -> {
            names.add(new String(name, StandardCharsets.UTF_8));
            return true;
        });
        assertThat(names).as(path).startsWith(".", "..");
        List<String> children = names.subList(2, names.size());
        List<String> expectedNames = new ArrayList<>();
        expected.get("contents").forEach(c -> expectedNames.add(c.get("name").asText()));
        assertThat(children).as(path).containsExactlyElementsOf(expectedNames);
        int i = 0;
        for (JsonNode c : expected.get("contents")) {
            RafsInode child = sb.lookup(inode, children.get(i++).getBytes(StandardCharsets.UTF_8));
            assertThat(child).as(path + c.get("name").asText()).isNotNull();
            compare(c, child, path + c.get("name").asText() + (child.isDir() ? "/" : ""), counts);
        }
    }

    private static String treeJsonPart() throws IOException {
        String all = Files.readString(dir.resolve("tree.json"));
        return all.substring(0, all.lastIndexOf(']') + 1);
    }

    @Test
    void hardlinksShareOneInode() throws IOException {
        RafsInode a = resolve("/hardlink-test/foo");
        RafsInode b = resolve("/hardlink-test/test.sh");
        RafsInode c = resolve("/normal-file-test/test.sh");
        assertThat(a.ino()).isEqualTo(b.ino()).isEqualTo(c.ino());
        assertThat(a.nlink()).isEqualTo(3);
        assertThat(sb.inode(a.ino()).size()).isEqualTo(a.size());
    }

    @Test
    void parentsAndDotDot() throws IOException {
        RafsInode d = resolve("/normal-file-test/holefiles");
        RafsInode parent = resolve("/normal-file-test");
        Map<String, Long> dots = new HashMap<>();
        sb.readdir(d, 0, (name, ino, t, next) -> {
            dots.put(new String(name, StandardCharsets.UTF_8), ino);
            return true;
        });
        assertThat(dots.get(".")).isEqualTo(d.ino());
        assertThat(dots.get("..")).isEqualTo(parent.ino());
        Map<String, Long> rootDots = new HashMap<>();
        sb.readdir(sb.inode(1), 0, (name, ino, t, next) -> {
            rootDots.put(new String(name, StandardCharsets.UTF_8), ino);
            return true;
        });
        assertThat(rootDots.get("..")).isEqualTo(1L);
    }

    @Test
    void readdirResumesAtEveryOffset() throws IOException {
        RafsInode d = resolve("/normal-file-test/holefiles");
        List<String> all = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        sb.readdir(d, 0, (name, ino, t, next) -> {
            all.add(new String(name, StandardCharsets.UTF_8));
            offsets.add(next);
            return true;
        });
        for (int i = 0; i < offsets.size(); i++) {
            List<String> rest = new ArrayList<>();
            sb.readdir(d, offsets.get(i), (name, ino, t, next) -> {
                rest.add(new String(name, StandardCharsets.UTF_8));
                return true;
            });
            assertThat(rest).isEqualTo(all.subList(i + 1, all.size()));
        }
    }

    @Test
    void extentsCoverEveryFileExactly() throws IOException {
        TreeWalker.walk(sb, e -> {
            RafsInode inode = e.inode();
            if (inode.isReg()) {
                long pos = 0;
                for (FileExtent x : inode.extents(0, inode.size())) {
                    assertThat(x.fileOffset()).as(e.pathString()).isEqualTo(pos);
                    assertThat(x).isInstanceOf(FileExtent.Chunk.class);
                    assertThat(((FileExtent.Chunk) x).chunk().digest()).hasSize(32);
                    pos += x.length();
                }
                assertThat(pos).as(e.pathString()).isEqualTo(inode.size());
                if (inode.size() > 5000) {
                    List<FileExtent> part = inode.extents(4000, 1000);
                    assertThat(part).hasSize(1);
                    assertThat(part.get(0).fileOffset()).isZero();
                }
            }
            return true;
        });
    }

    @Test
    void lookupOfAMissingNameIsNull() throws IOException {
        RafsInode root = sb.inode(1);
        assertThat(sb.lookup(root, "nope".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(sb.lookup(root, "".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(sb.lookup(resolve("/normal-file-test/test.sh"), "x".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void dotAndDotDotLookUpWhatReaddirLists() throws IOException {
        RafsInode root = sb.inode(sb.rootIno());
        RafsInode dir = resolve("/normal-file-test");
        byte[] dot = {'.'};
        byte[] dotdot = {'.', '.'};
        assertThat(sb.lookup(dir, dot).ino()).isEqualTo(dir.ino());
        assertThat(sb.lookup(dir, dotdot).ino()).isEqualTo(root.ino());
        assertThat(sb.lookup(root, dotdot).ino()).isEqualTo(root.ino());
        long[] listed = new long[2];
        sb.readdir(dir, 0, (n, ino, type, next) -> {
            listed[n.length - 1] = ino;
            return n.length == 1;
        });
        assertThat(listed).containsExactly(dir.ino(), root.ino());
        assertThat(sb.lookup(resolve("/normal-file-test/test.sh"), dotdot)).as("not a directory").isNull();
    }

    private RafsInode resolve(String path) throws IOException {
        RafsInode cur = sb.inode(sb.rootIno());
        for (String part : path.substring(1).split("/")) {
            cur = sb.lookup(cur, part.getBytes(StandardCharsets.UTF_8));
            assertThat(cur).as(path).isNotNull();
        }
        return cur;
    }
}
