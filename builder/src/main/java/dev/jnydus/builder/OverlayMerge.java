package dev.jnydus.builder;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies an upper layer's tree to the tree of the layers below it (upstream
 * {@code Tree::merge_overaly}): whiteouts first (removal, opaque), then additions and
 * replacements, then the same for each upper directory. A replaced directory keeps the lower
 * children unless it was made opaque; a non-directory replacing anything drops its children.
 * Whiteout entries themselves never reach the merged tree.
 */
final class OverlayMerge {
    private final WhiteoutSpec spec;

    OverlayMerge(WhiteoutSpec spec) {
        this.spec = spec;
    }

    void merge(Tree lower, Tree upper) throws BuildException {
        upper.node.overlay = Overlay.UPPER_MODIFICATION;
        lower.node = upper.node;
        mergeChildren(lower, upper);
    }

    private void mergeChildren(Tree lower, Tree upper) throws BuildException {
        List<Tree> modified = new ArrayList<>(upper.children.size());
        for (Tree u : upper.children) {
            Whiteouts.Type t = Whiteouts.typeOf(u.node, spec);
            if (t == null) {
                modified.add(u);
                continue;
            }
            switch (t) {
                case OCI_REMOVAL -> {
                    int i = lower.childIndex(Whiteouts.removedName(u.node));
                    if (i >= 0) {
                        lower.children.remove(i);
                    }
                }
                case OCI_OPAQUE -> lower.children.clear();
                case OVERLAYFS_REMOVAL -> {
                    int i = lower.childIndex(u.name);
                    if (i >= 0) {
                        lower.children.remove(i);
                    }
                }
                case OVERLAYFS_OPAQUE -> {
                    int i = lower.childIndex(u.name);
                    if (i >= 0) {
                        lower.children.get(i).children.clear();
                    }
                    u.node.xattrs.remove(Whiteouts.OVERLAYFS_OPAQUE_XATTR);
                    modified.add(u);
                }
                default -> throw new IllegalStateException("unknown whiteout " + t);
            }
        }
        List<Tree> dirs = new ArrayList<>();
        for (Tree u : modified) {
            int i = lower.childIndex(u.name);
            if (i >= 0) {
                u.node.overlay = Overlay.UPPER_MODIFICATION;
                Tree l = lower.children.get(i);
                l.node = u.node;
                if (!u.node.isDir()) {
                    l.children.clear();
                }
            } else {
                u.node.overlay = Overlay.UPPER_ADDITION;
                lower.insertChild(new Tree(u.name, u.node));
            }
            if (u.node.isDir()) {
                dirs.add(u);
            }
        }
        for (Tree d : dirs) {
            Tree l = lower.child(d.name);
            if (l == null) {
                throw new BuildException(d.node.path + ": directory missing from the merged tree");
            }
            mergeChildren(l, d);
        }
    }
}
