package dev.jnydus.fuse.api;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;

/**
 * A {@link FileSystem} whose mutating operations answer EROFS rather than ENOSYS: a caller that
 * reaches them (a read-only mount normally stops them in the kernel first) is told "read-only file
 * system", not "function not implemented", and the kernel does not switch to fallbacks such as
 * mknod+open for create. Operations that are harmless on a read-only filesystem (fsync, flush,
 * release, access, locks) keep the ENOSYS defaults, which the kernel turns into success.
 *
 * <p>This is the policy choice for read-only images: it lives in the filesystem interface, not in
 * the server, so a writable filesystem (an overlay, say) needs no server switch.
 */
public interface ReadOnlyFileSystem extends FileSystem {
    private static FsException rofs() {
        return new FsException(Errno.EROFS);
    }

    @Override
    default AttrReply setattr(Context ctx, long nodeId, SetAttr attr) throws FsException {
        throw rofs();
    }

    @Override
    default Entry symlink(Context ctx, byte[] target, long parent, byte[] name) throws FsException {
        throw rofs();
    }

    @Override
    default Entry mknod(Context ctx, long parent, byte[] name, int mode, int rdev, int umask) throws FsException {
        throw rofs();
    }

    @Override
    default Entry mkdir(Context ctx, long parent, byte[] name, int mode, int umask) throws FsException {
        throw rofs();
    }

    @Override
    default void unlink(Context ctx, long parent, byte[] name) throws FsException {
        throw rofs();
    }

    @Override
    default void rmdir(Context ctx, long parent, byte[] name) throws FsException {
        throw rofs();
    }

    @Override
    default void rename(Context ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws FsException {
        throw rofs();
    }

    @Override
    default Entry link(Context ctx, long nodeId, long newParent, byte[] newName) throws FsException {
        throw rofs();
    }

    @Override
    default int write(Context ctx, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags, int flags)
            throws FsException {
        throw rofs();
    }

    @Override
    default void setxattr(Context ctx, long nodeId, byte[] name, byte[] value, int flags) throws FsException {
        throw rofs();
    }

    @Override
    default void removexattr(Context ctx, long nodeId, byte[] name) throws FsException {
        throw rofs();
    }

    @Override
    default CreateReply create(Context ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws FsException {
        throw rofs();
    }

    @Override
    default void fallocate(Context ctx, long nodeId, long fh, long offset, long length, int mode)
            throws FsException {
        throw rofs();
    }

    @Override
    default long copyFileRange(Context ctx, long nodeIdIn, long fhIn, long offsetIn, long nodeIdOut, long fhOut,
            long offsetOut, long length, long flags) throws FsException {
        throw rofs();
    }

    @Override
    default CreateReply tmpfile(Context ctx, long parent, int mode, int flags, int umask) throws FsException {
        throw rofs();
    }
}
