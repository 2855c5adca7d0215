package dev.jnydus.builder;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Xattrs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the tree of a source directory (upstream {@code builder/src/directory.rs} and
 * {@code Node::from_fs_object}): lstat, symlink target and xattrs of every entry, children sorted
 * byte-wise, whiteouts of the chosen spec dropped (a single layer must not carry them), root mtime
 * forced to 0 for repeatable builds.
 */
final class DirectoryScanner {
    private static final String ATTRS = "unix:mode,ino,dev,rdev,uid,gid,size,lastModifiedTime";

    private final BuildOptions options;
    private final BuildProgress progress;
    private final int layer;

    /**
     * @param layer 0 for a single-layer build, which drops whiteouts; an upper layer (built on a
     *     parent bootstrap) keeps them for the overlay merge to apply
     */
    DirectoryScanner(BuildOptions options, BuildProgress progress, int layer) {
        this.options = options;
        this.progress = progress;
        this.layer = layer;
    }

    Tree scan(Path root) throws BuildException {
        if (!Files.isDirectory(root)) {
            throw new BuildException(root + ": source is not a directory");
        }
        Node rootNode = node(root, "/");
        if (!rootNode.isDir()) {
            throw new BuildException(root + ": source is not a directory");
        }
        Tree tree = new Tree(rootNode);
        loadChildren(tree, root);
        return tree;
    }

    private void loadChildren(Tree parent, Path dir) throws BuildException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                entries.add(p);
            }
        } catch (IOException e) {
            throw new BuildException(dir + ": cannot read directory: " + reason(e), e);
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            if (nameBytes.length > 255) {
                throw new BuildException(p + ": file name of " + nameBytes.length + " bytes is too long (255 at most)");
            }
            String path = parent.node.isRoot() ? "/" + name : parent.node.path + "/" + name;
            Node child = node(p, path);
            if (layer == 0 && Whiteouts.typeOf(child, options.whiteoutSpec()) != null
                    && !Whiteouts.isOverlayfsOpaque(child, options.whiteoutSpec())) {
                continue; // as per the OCI spec, whiteouts live in layers, never in a final image
            }
            Tree t = new Tree(nameBytes, child);
            parent.children.add(t);
            progress.entryScanned();
            if (child.isDir()) {
                loadChildren(t, p);
            }
        }
        parent.sortChildren();
    }

    private Node node(Path p, String path) throws BuildException {
        Node n = new Node(path, p);
        n.layer = layer;
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new BuildException(p + ": cannot stat: " + reason(e), e);
        }
        n.mode = (Integer) a.get("mode");
        n.srcIno = (Long) a.get("ino");
        n.srcDev = (Long) a.get("dev");
        // The host dev_t truncated to 32 bits is the kernel's new_encode_dev layout.
        n.rdev = ((Long) a.get("rdev")) & 0xFFFF_FFFFL;
        if (options.explicitUidGid()) {
            n.uid = ((Integer) a.get("uid")) & 0xFFFF_FFFFL;
            n.gid = ((Integer) a.get("gid")) & 0xFFFF_FFFFL;
        }
        if (!n.isRoot()) {
            // Upstream ignores the root's mtime: build tools stamp it differently on every run.
            FileTime t = (FileTime) a.get("lastModifiedTime");
            java.time.Instant i = t.toInstant();
            n.mtime = i.getEpochSecond();
            n.mtimeNsec = i.getNano();
        }
        if (!n.isDir()) {
            n.size = (Long) a.get("size");
        }
        if (n.isSymlink()) {
            try {
                n.symlink = Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BuildException(p + ": cannot read symlink target: " + reason(e), e);
            }
            if (n.symlink.length > 0xFFFF) {
                throw new BuildException(p + ": symlink target of " + n.symlink.length + " bytes is too big");
            }
            n.size = n.symlink.length;
        }
        readXattrs(n, p);
        return n;
    }

    private static void readXattrs(Node n, Path p) throws BuildException {
        try {
            for (byte[] name : Xattrs.list(p)) {
                byte[] value = Xattrs.get(p, name);
                if (value == null) {
                    continue; // removed between list and get
                }
                String why = XattrPrefix.invalidReason(name, value);
                if (why != null) {
                    throw new BuildException(p + ": xattr " + new String(name, StandardCharsets.UTF_8) + ": " + why);
                }
                n.xattrs.put(name, value);
            }
        } catch (FsException e) {
            if (e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENOSYS) {
                return;
            }
            throw new BuildException(p + ": cannot read xattrs: " + e.errno().description(), e);
        }
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
