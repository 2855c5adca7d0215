package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An image may nest directories as deep as it has inodes. The walk (which the daemon makes at
 * mount, as {@code nydus-image check} does) must finish on a chain of 200,000 directories, on a
 * thread with a small stack, instead of overflowing it.
 */
class TreeWalkerDepthTest {
    private static final int DEPTH = 200_000;

    @Test
    void walksAChainOfDirectoriesFarDeeperThanAThreadStack() throws Exception {
        long[] visited = {0, 0};
        Throwable[] failure = {null};
        Thread t = new Thread(null, () -> {
            try {
                TreeWalker.walk(new DirectoryChain(DEPTH), e -> {
                    visited[0]++;
                    visited[1] = Math.max(visited[1], e.depth());
                    return true;
                });
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "shallow-stack", 256 << 10);
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
        assertThat(visited[0]).as("entries").isEqualTo(2L * DEPTH - 1);
        assertThat(visited[1]).as("deepest").isEqualTo(DEPTH - 1);
    }

    @Test
    void visitsInDirectoryOrderDepthFirst() throws Exception {
        StringBuilder order = new StringBuilder();
        TreeWalker.walk(new DirectoryChain(4), e -> {
            order.append(e.pathString()).append(' ');
            return true;
        });
        assertThat(order.toString()).isEqualTo("/ /f /d /d/f /d/d /d/d/f /d/d/d ");
    }

    /**
     * Directories 1..n, each holding a file "f" (inode n+i) and the next directory "d", the last
     * directory holding only its file: a tree of n directories and n-1 files nested n deep.
     */
    private record DirectoryChain(int n) implements RafsSuper {
        @Override
        public RafsVersion version() {
            return RafsVersion.V6;
        }

        @Override
        public long flags() {
            return 0;
        }

        @Override
        public boolean explicitUidGid() {
            return true;
        }

        @Override
        public Compressor compressor() {
            return Compressor.NONE;
        }

        @Override
        public Digester digester() {
            return Digester.SHA256;
        }

        @Override
        public int chunkSize() {
            return 1 << 20;
        }

        @Override
        public int blockSize() {
            return 4096;
        }

        @Override
        public long inodeCount() {
            return 2L * n - 1;
        }

        @Override
        public long rootIno() {
            return 1;
        }

        @Override
        public RafsInode inode(long ino) throws RafsFormatException {
            if (ino < 1 || ino >= 2L * n) {
                throw new RafsFormatException("no inode " + ino);
            }
            return new Node(ino, ino <= n ? RafsInode.S_IFDIR | 0755 : RafsInode.S_IFREG | 0644);
        }

        @Override
        public RafsInode lookup(RafsInode dir, byte[] name) throws RafsFormatException {
            long d = dir.ino();
            if (name.length == 1 && name[0] == 'd' && d < n) {
                return inode(d + 1);
            }
            if (name.length == 1 && name[0] == 'f' && d < n) {
                return inode(n + d);
            }
            return null;
        }

        @Override
        public void readdir(RafsInode dir, long offset, DirentVisitor v) throws RafsFormatException {
            long d = dir.ino();
            if (!v.accept(new byte[] {'.'}, d, 4, 1) || !v.accept(new byte[] {'.', '.'}, Math.max(1, d - 1), 4, 2)) {
                return;
            }
            if (d < n && v.accept(new byte[] {'f'}, n + d, 8, 3)) {
                v.accept(new byte[] {'d'}, d + 1, 4, 4);
            }
        }

        @Override
        public List<BlobInfo> blobs() {
            return List.of();
        }

        @Override
        public long[] prefetchInodes() {
            return new long[0];
        }

        @Override
        public void readBootstrap(long offset, ByteBuffer dst) throws RafsFormatException {
            throw new RafsFormatException("no bootstrap bytes");
        }

        @Override
        public long bootstrapSize() {
            return 0;
        }

        @Override
        public Path path() {
            return Path.of("<chain>");
        }

        @Override
        public void close() {
        }
    }

    private record Node(long ino, int mode) implements RafsInode {
        @Override
        public long uid() {
            return 0;
        }

        @Override
        public long gid() {
            return 0;
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public long blocks() {
            return 0;
        }

        @Override
        public int nlink() {
            return 1;
        }

        @Override
        public long rdev() {
            return 0;
        }

        @Override
        public long mtime() {
            return 0;
        }

        @Override
        public int mtimeNsec() {
            return 0;
        }

        @Override
        public byte[] symlinkTarget() {
            return new byte[0];
        }

        @Override
        public List<Xattr> xattrs() {
            return List.of();
        }

        @Override
        public List<FileExtent> extents(long offset, long length) {
            return List.of();
        }
    }
}
