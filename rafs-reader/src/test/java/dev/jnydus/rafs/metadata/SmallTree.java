package dev.jnydus.rafs.metadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/** A tiny tree with every kind of entry a reader decodes, for fast fuzzing of mkfs.erofs images. */
final class SmallTree {
    private SmallTree() {
    }

    static void write(Path root) throws IOException {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/hello"), "hello\n");
        Files.write(root.resolve("a/b/c/data"), new byte[20000]);
        byte[] mixed = new byte[70000];
        for (int i = 0; i < mixed.length; i++) {
            mixed[i] = (byte) (i * 31 + (i >> 7));
        }
        Files.write(root.resolve("mixed"), mixed);
        for (int i = 0; i < 150; i++) {
            Files.writeString(root.resolve("a/b/entry-with-a-longish-name-" + i), "x" + i);
        }
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/hello"));
        Files.createSymbolicLink(root.resolve("long-link"), Path.of("x".repeat(300)));
        Files.createLink(root.resolve("hard"), root.resolve("a/hello"));
        UserDefinedFileAttributeView x = Files.getFileAttributeView(root.resolve("mixed"), UserDefinedFileAttributeView.class);
        x.write("one", ByteBuffer.wrap("1".getBytes()));
        x.write("two", ByteBuffer.wrap("second value".getBytes()));
        UserDefinedFileAttributeView y = Files.getFileAttributeView(root.resolve("a/hello"), UserDefinedFileAttributeView.class);
        y.write("one", ByteBuffer.wrap("1".getBytes()));
    }
}
