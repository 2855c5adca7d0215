package dev.jnydus.builder;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Builds the tree of a tar or tar.gz stream in one pass, dumping file data as entries go by
 * (upstream {@code builder/src/tarball.rs} and {@code TarBuilder}): missing parent directories are
 * created with mode 0755, a later entry for the same path replaces the node but keeps its
 * children, hard links share the target's inode and chunks, {@code SCHILY.xattr.*} PAX records
 * become xattrs (raw bytes, see {@link TarReader}). Whiteouts stay in the tree as ordinary entries; merging applies them.
 */
final class TarScanner {
    private final BuildOptions options;
    private final ChunkDumper dumper;
    private final BuildProgress progress;
    private final int layer;
    private long nextIno;

    TarScanner(BuildOptions options, ChunkDumper dumper, BuildProgress progress, int layer) {
        this.options = options;
        this.dumper = dumper;
        this.progress = progress;
        this.layer = layer;
    }

    Tree scan(Path source) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new BuildException(source + ": source is not a regular file");
        }
        Tree root = new Tree(directory("/"));
        String last = "(start of archive)";
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(source), 1 << 16);
                InputStream in = maybeGunzip(raw);
                ) {
            TarReader tar = new TarReader(in);
            while (true) {
                TarReader.Entry e;
                try {
                    e = tar.next();
                } catch (java.util.zip.ZipException ex) {
                    throw ex;
                } catch (IOException ex) {
                    throw new BuildException(source + ": corrupt or truncated tar after entry " + last + ": "
                            + ex.getMessage(), ex);
                }
                if (e == null) {
                    break;
                }
                String path = normalize(source, e.name());
                last = path;
                if (path.equals("/stargz.index.json") || path.equals("/.prefetch.landmark")
                        || path.equals("/.no.prefetch.landmark")) {
                    continue;
                }
                entry(source, root, tar.data(), e, path);
                progress.entryScanned();
            }
        } catch (java.util.zip.ZipException ex) {
            throw new BuildException(source + ": corrupt gzip stream after entry " + last + ": " + ex.getMessage(), ex);
        }
        return root;
    }

    private static InputStream maybeGunzip(InputStream in) throws IOException {
        in.mark(3);
        byte[] magic = in.readNBytes(3);
        in.reset();
        if (magic.length == 3 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B && magic[2] == 8) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    /** "/" joined with the entry name, "." components dropped, ".." refused. */
    private static String normalize(Path source, String name) throws BuildException {
        StringBuilder sb = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new BuildException(source + ": tar entry " + name + ": '..' in a path is not allowed");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > 255) {
                throw new BuildException(source + ": tar entry " + name + ": file name of "
                        + part.getBytes(StandardCharsets.UTF_8).length + " bytes is too long (255 at most)");
            }
            sb.append('/').append(part);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private Node directory(String path) {
        Node n = new Node(path, null);
        n.layer = layer;
        n.mode = Node.S_IFDIR | 0755;
        n.nlink = 2;
        n.rdev = Node.NO_RDEV;
        n.srcIno = ++nextIno;
        return n;
    }

    private void entry(Path source, Tree root, InputStream data, TarReader.Entry e, String path)
            throws IOException {
        String where = source + ": tar entry " + path;
        int type = switch (e.type()) {
            case '0', '\0' -> Node.S_IFREG;
            case '1' -> Node.S_IFREG;
            case '2' -> Node.S_IFLNK;
            case '3' -> Node.S_IFCHR;
            case '4' -> Node.S_IFBLK;
            case '5' -> Node.S_IFDIR;
            case '6' -> Node.S_IFIFO;
            case '7' -> throw new BuildException(where + ": unsupported contiguous entry type");
            default -> throw new BuildException(where + ": unsupported tar entry type '" + e.type() + "'");
        };
        boolean hardlink = e.type() == '1';
        Node n = new Node(path, null);
        n.layer = layer;
        n.mode = (e.mode() & ~Node.S_IFMT) | type;
        if (options.explicitUidGid()) {
            if (e.uid() > 0xFFFF_FFFFL || e.gid() > 0xFFFF_FFFFL) {
                throw new BuildException(where + ": uid " + e.uid() + " or gid " + e.gid() + " is out of range");
            }
            n.uid = e.uid();
            n.gid = e.gid();
        }
        n.mtime = Math.max(0, e.mtime());
        n.size = type == Node.S_IFREG && !hardlink ? e.size() : 0;
        if (type == Node.S_IFCHR || type == Node.S_IFBLK || type == Node.S_IFIFO) {
            long major = e.devMajor();
            long minor = e.devMinor();
            n.rdev = ((major & 0xFFF) << 8) | (minor & 0xFF) | ((minor & 0xFFF00) << 12);
        } else {
            n.rdev = Node.NO_RDEV;
        }
        if (type == Node.S_IFLNK) {
            n.symlink = e.linkName().getBytes(StandardCharsets.UTF_8);
            if (n.symlink.length > 0xFFFF) {
                throw new BuildException(where + ": symlink target is too big");
            }
            n.size = n.symlink.length;
        }
        for (Map.Entry<byte[], byte[]> x : e.xattrs().entrySet()) {
            String why = XattrPrefix.invalidReason(x.getKey(), x.getValue());
            if (why != null) {
                throw new BuildException(where + ": xattr " + new String(x.getKey(), StandardCharsets.UTF_8) + ": "
                        + why);
            }
            n.xattrs.put(x.getKey(), x.getValue());
        }
        if (hardlink) {
            String targetPath = normalize(source, e.linkName());
            Tree t = find(root, targetPath);
            if (t == null) {
                throw new BuildException(where + ": unknown target " + targetPath + " for hardlink");
            }
            if (!t.node.isReg()) {
                throw new BuildException(where + ": target " + targetPath + " for hardlink is not a regular file");
            }
            Node target = t.node;
            target.tarHardlink = true;
            n.tarHardlink = true;
            n.srcIno = target.srcIno;
            n.srcDev = target.srcDev;
            n.size = target.size;
            n.chunks = new ArrayList<>(target.chunks);
            n.xattrs.clear();
            n.xattrs.putAll(target.xattrs);
        } else {
            n.srcIno = ++nextIno;
            if (n.isReg()) {
                if (n.chunkCount(options.chunkSize()) > BlobWriter.MAX_CHUNKS) {
                    throw new BuildException(where + ": file size 0x" + Long.toHexString(n.size) + " is too big");
                }
                try {
                    dumper.dumpFile(n, data);
                } catch (BuildException ex) {
                    throw new BuildException(source + ": tar entry " + ex.getMessage(), ex);
                }
            }
        }
        try {
            insert(root, n);
        } catch (BuildException ex) {
            throw new BuildException(source + ": " + ex.getMessage(), ex);
        }
    }

    private static Tree find(Tree root, String path) {
        if (path.equals("/")) {
            return root;
        }
        Tree t = root;
        for (String part : path.substring(1).split("/")) {
            t = t.child(part.getBytes(StandardCharsets.UTF_8));
            if (t == null) {
                return null;
            }
        }
        return t;
    }

    private void insert(Tree root, Node n) throws BuildException {
        if (n.isRoot()) {
            root.node = n;
            return;
        }
        String[] parts = n.path.substring(1).split("/");
        Tree t = root;
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            byte[] name = parts[i].getBytes(StandardCharsets.UTF_8);
            prefix.append('/').append(parts[i]);
            Tree c = t.child(name);
            if (i == parts.length - 1) {
                if (c != null) {
                    c.node = n;
                } else {
                    t.insertChild(new Tree(name, n));
                }
                return;
            }
            if (c == null) {
                c = new Tree(name, directory(prefix.toString()));
                t.insertChild(c);
            } else if (!c.node.isDir()) {
                throw new BuildException("tar entry " + n.path + ": parent " + prefix + " is not a directory");
            }
            t = c;
        }
    }

}
