package dev.jnydus.builder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The directory hierarchy: a name, the node it names, and the children sorted byte-wise by name.
 * Merging layers replaces a tree's node while keeping its children, which is why the two are
 * separate (upstream {@code Tree}).
 */
final class Tree {
    final byte[] name;
    Node node;
    List<Tree> children = new ArrayList<>();

    Tree(Node node) {
        this.node = node;
        this.name = node.nameBytes();
    }

    Tree(byte[] name, Node node) {
        this.name = name;
        this.node = node;
    }

    int childIndex(byte[] childName) {
        int lo = 0;
        int hi = children.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(children.get(mid).name, childName);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    Tree child(byte[] childName) {
        int i = childIndex(childName);
        return i >= 0 ? children.get(i) : null;
    }

    /** Inserts a child keeping the order; an existing child of the same name wins (upstream). */
    void insertChild(Tree t) {
        int i = childIndex(t.name);
        if (i < 0) {
            children.add(-i - 1, t);
        }
    }

    void sortChildren() {
        children.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
    }

    /** Pre-order walk. */
    void walkPre(java.util.function.Consumer<Tree> visitor) {
        visitor.accept(this);
        for (Tree c : children) {
            c.walkPre(visitor);
        }
    }

    /** Post-order walk. */
    void walkPost(java.util.function.Consumer<Tree> visitor) {
        for (Tree c : children) {
            c.walkPost(visitor);
        }
        visitor.accept(this);
    }

    /**
     * Upstream's {@code walk_bfs(true)}: the root, then each directory's children together, then
     * the child directories expanded in order, recursively.
     */
    void walkBfs(java.util.function.Consumer<Tree> visitor) {
        visitor.accept(this);
        walkChildrenBfs(visitor);
    }

    private void walkChildrenBfs(java.util.function.Consumer<Tree> visitor) {
        List<Tree> dirs = new ArrayList<>();
        for (Tree c : children) {
            visitor.accept(c);
            if (c.node.isDir()) {
                dirs.add(c);
            }
        }
        for (Tree d : dirs) {
            d.walkChildrenBfs(visitor);
        }
    }
}
