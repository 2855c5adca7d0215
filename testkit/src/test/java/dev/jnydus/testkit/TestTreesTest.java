package dev.jnydus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTreesTest {
    @TempDir
    Path tmp;

    @Test
    void sameOptionsGiveTheSameTree() throws IOException {
        TestTrees.Options o = TestTrees.Options.defaults().withMaxFileSize(2L << 20).withBigDirEntries(50);
        Path a = TestTrees.generate(tmp.resolve("a"), o);
        Path b = TestTrees.generate(tmp.resolve("b"), o);
        assertThat(describe(a)).isEqualTo(describe(b)).hasSizeGreaterThan(100);
    }

    @Test
    void containsEveryKindOfEntry() throws IOException {
        Path a = TestTrees.generate(tmp.resolve("a"), TestTrees.Options.defaults().withMaxFileSize(1L << 20)
                .withBigDirEntries(10));
        assertThat(Files.isSymbolicLink(a.resolve("links/dangling"))).isTrue();
        assertThat(Files.getAttribute(a.resolve("files/hardlink-a"), "unix:nlink")).isEqualTo(3);
        assertThat((int) Files.getAttribute(a.resolve("special/fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                & 0170000).isEqualTo(0010000);
        assertThat(Files.size(a.resolve("sparse/all-hole"))).isEqualTo((2L << 20) + 1);
        if (Privileged.isRoot()) {
            assertThat(((Number) Files.getAttribute(a.resolve("special/char-1-3"), "unix:rdev")).longValue())
                    .isEqualTo(259L);
            assertThat(Files.getAttribute(a.resolve("modes/owner-100000"), "unix:uid")).isEqualTo(100000);
        }
    }

    @Test
    void maxNameBytesCapsTheLongestNameAndOnlyIt() throws IOException {
        TestTrees.Options o = TestTrees.Options.defaults().withMaxFileSize(1L << 20).withBigDirEntries(10);
        Path full = TestTrees.generate(tmp.resolve("full"), o);
        Path capped = TestTrees.generate(tmp.resolve("capped"), o.withMaxNameBytes(254));
        assertThat(longestName(full)).isEqualTo(255);
        assertThat(longestName(capped)).isEqualTo(254);
        assertThat(Files.exists(capped.resolve("deep/" + "n".repeat(254)))).isTrue();
        List<String> rest = describe(full);
        rest.removeIf(l -> l.startsWith("deep/" + "n".repeat(255) + " ") || l.startsWith("deep "));
        List<String> restCapped = describe(capped);
        restCapped.removeIf(l -> l.startsWith("deep/" + "n".repeat(254) + " ") || l.startsWith("deep "));
        assertThat(restCapped).isEqualTo(rest);
        assertThatThrownBy(() -> o.withMaxNameBytes(256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
    }

    private static int longestName(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            return walk.skip(1).mapToInt(p -> p.getFileName().toString().getBytes(StandardCharsets.UTF_8).length)
                    .max().orElseThrow();
        }
    }

    /** Path, type+mode, uid, gid, size, mtime, link target, content hash: what a round trip must keep. */
    static List<String> describe(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (var walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
                String extra = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                ? Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))) : "";
                out.add(root.relativize(p) + " " + Integer.toOctalString((int) a.get("mode")) + " " + a.get("uid")
                        + ":" + a.get("gid") + " " + a.get("size") + " " + a.get("lastModifiedTime") + " "
                        + a.get("rdev") + " " + extra);
            }
        }
        return out;
    }
}
