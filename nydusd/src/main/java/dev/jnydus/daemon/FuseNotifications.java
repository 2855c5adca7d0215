package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.transport.dev.FuseSession;
import dev.jnydus.fuse.vfs.Vfs;
import dev.jnydus.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Notifications the daemon sends the kernel unasked, written to the session's descriptor as the
 * FUSE protocol defines them (an out-header with unique 0 and the notification code in the error
 * field). Used when a mount of the namespace goes away or is replaced, so that the kernel drops
 * what it cached of the old image (upstream walks the tree; dropping the mount's own dentry
 * makes the kernel drop the subtree below it too).
 */
final class FuseNotifications {
    /** {@code FUSE_NOTIFY_INVAL_ENTRY}. */
    static final int NOTIFY_INVAL_ENTRY = 3;
    private static final long ROOT = 1;

    private FuseNotifications() {
    }

    /** Invalidates the kernel's entry for {@code path} in its parent directory of the namespace. */
    static void invalidatePath(FuseSession session, Vfs vfs, String path) throws FsException {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        Context ctx = new Context(0, 0, 0, 0);
        long parent = ROOT;
        for (int i = 0; i < parts.size() - 1; i++) {
            Entry e = vfs.lookup(ctx, parent, parts.get(i).getBytes(StandardCharsets.UTF_8));
            parent = e.nodeId();
        }
        invalEntry(session, parent, parts.get(parts.size() - 1).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code fuse_notify_inval_entry_out}: parent (u64), namelen (u32), flags (u32), name, NUL. */
    static ByteBuffer invalEntryMessage(long parent, byte[] name) {
        int len = 16 + 16 + name.length + 1;
        ByteBuffer b = ByteBuffer.allocateDirect(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(len).putInt(NOTIFY_INVAL_ENTRY).putLong(0);
        b.putLong(parent).putInt(name.length).putInt(0).put(name).put((byte) 0);
        return b.flip();
    }

    private static void invalEntry(FuseSession session, long parent, byte[] name) throws FsException {
        Sys.write(session.fd(), invalEntryMessage(parent, name));
    }
}
