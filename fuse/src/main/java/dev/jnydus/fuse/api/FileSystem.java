package dev.jnydus.fuse.api;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * An inode-based filesystem as the FUSE kernel protocol sees it: one method per operation, each
 * defaulting to {@code FsException(ENOSYS)} so an implementation overrides only what it supports
 * (the exceptions are {@link #init}, {@link #destroy} and the forgets, which cannot fail). For a
 * read-only filesystem, implement {@link ReadOnlyFileSystem} instead: its mutating operations
 * answer EROFS.
 *
 * <p>Node ids: the root is node 1. Every other node id the kernel uses came from an {@link Entry}
 * returned by lookup, readdirplus, mknod, mkdir, symlink, link, create or tmpfile; each such
 * return adds one to the node's lookup count and {@link #forget} takes counts back. A node must
 * stay valid while its count is above zero.
 *
 * <p>Errors: throw {@link FsException} with the errno the caller should see; the server replies
 * with it (and logs at debug). Some ENOSYS answers change kernel behaviour for the rest of the
 * session, noted per method. Any other exception is a bug: the server logs it at error and replies
 * EIO.
 *
 * <p>Threads: the server calls these methods from several worker threads at once, for the same
 * node too; implementations must be thread-safe. A worker waits for each call to return, so a
 * call that waits on something slow takes a worker from everyone: {@link #readAsync} lets reads
 * that must wait do so elsewhere.
 *
 * <p>Names are raw bytes without the NUL; Linux names need not be UTF-8.
 *
 * <p>Not delegated (the server answers itself): IOCTL, POLL, SETUPMAPPING, REMOVEMAPPING, STATX
 * with ENOSYS; NOTIFY_REPLY is ignored; INTERRUPT is the server's business (it may answer a
 * pending {@link #readAsync} with EINTR).
 */
public interface FileSystem {

    /**
     * Negotiation at mount (FUSE INIT), before any other call.
     *
     * @param capable what the kernel offers
     * @return what the filesystem wants; the server enables the intersection with {@code capable}
     *     (minus features the server lacks). The default asks for {@link FsOptions#UPSTREAM_DEFAULTS}.
     */
    default FsOptions init(FsOptions capable) throws FsException {
        return FsOptions.UPSTREAM_DEFAULTS;
    }

    /** The session is ending (DESTROY, sent on unmount of block-device-backed mounts only). */
    default void destroy() {
    }

    /**
     * Looks up {@code name} in directory {@code parent}.
     *
     * @return the entry (lookup count + 1), or a {@linkplain Entry#negative negative entry} to let
     *     the kernel cache the absence. Errors: ENOENT (not cached), ENOTDIR, ENAMETOOLONG, EIO.
     */
    default Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Takes back {@code nlookup} references to {@code nodeId}; at zero the node may be dropped.
     * No reply is sent and nothing can fail; the server logs exceptions. Default: nothing.
     */
    default void forget(Context ctx, long nodeId, long nlookup) {
    }

    /** Several forgets at once; the default calls {@link #forget} for each pair. */
    default void batchForget(Context ctx, long[] nodeIds, long[] nlookups) {
        for (int i = 0; i < nodeIds.length; i++) {
            forget(ctx, nodeIds[i], nlookups[i]);
        }
    }

    /**
     * Attributes of a node. {@code fh} is present when the kernel asks through an open file.
     * Errors: ENOENT (stale node), EIO.
     */
    default AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Changes attributes (chmod, chown, truncate, utimes); returns the new attributes. */
    default AttrReply setattr(Context ctx, long nodeId, SetAttr attr) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * The target of a symbolic link, raw bytes. Errors: EINVAL (not a symlink). Cached by the kernel
     * when CACHE_SYMLINKS is enabled.
     */
    default byte[] readlink(Context ctx, long nodeId) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Creates a symbolic link {@code name} in {@code parent} pointing at {@code target}. */
    default Entry symlink(Context ctx, byte[] target, long parent, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Creates a file node (regular, device, fifo, socket); {@code mode} includes the type bits. */
    default Entry mknod(Context ctx, long parent, byte[] name, int mode, int rdev, int umask) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    default Entry mkdir(Context ctx, long parent, byte[] name, int mode, int umask) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    default void unlink(Context ctx, long parent, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    default void rmdir(Context ctx, long parent, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Renames; {@code flags} are renameat2's (RENAME_NOREPLACE 1, RENAME_EXCHANGE 2,
     * RENAME_WHITEOUT 4), 0 for plain RENAME.
     */
    default void rename(Context ctx, long parent, byte[] name, long newParent, byte[] newName, int flags)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Creates a hard link to {@code nodeId} named {@code newName} in {@code newParent}. */
    default Entry link(Context ctx, long nodeId, long newParent, byte[] newName) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Opens a file. {@code flags} are the open(2) flags (without O_CREAT, O_EXCL, O_NOCTTY).
     * ENOSYS with {@link FsOptions#NO_OPEN_SUPPORT} enabled means "no open needed": the kernel stops
     * sending OPEN and RELEASE and passes fh 0 to read.
     */
    default OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Reads file data at {@code offset} into {@code dst}, from its position up to its limit (the
     * size the kernel asked for, bounded by the reply buffer). Returning with fewer bytes than asked
     * means end of file (unless the file was opened with DIRECT_IO): put all available bytes. The
     * buffer is the server's reply buffer, so data written here goes to the kernel with no copy.
     * Errors: EIO, EISDIR.
     */
    default void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * A read that may be answered later, so that data which must first come from somewhere slow
     * (a network backend) does not hold the worker that received the request. Either answer now,
     * as {@link #read} does, by filling {@code dst} and returning {@code null}; or return a stage
     * that completes later, on any thread, and leave {@code dst} untouched.
     *
     * <p>{@code dst} is the worker's reply buffer: it is valid only until this method returns and
     * must never be kept, written to from another thread or used as the stage's value. The stage
     * completes with a buffer of the filesystem's own holding the data from its position to its
     * limit (at most {@code dst.remaining()} bytes; fewer means end of file, as for {@link #read}),
     * which the caller then owns; or exceptionally, with an {@link FsException} whose errno the
     * reader gets (anything else becomes EIO). The server may answer the kernel before the stage
     * completes (an interrupted request: EINTR), in which case the data is dropped.
     *
     * <p>The default calls {@link #read} and answers now.
     *
     * @return {@code null} when {@code dst} holds the answer, else the answer to come
     */
    default CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
            throws FsException {
        read(ctx, nodeId, fh, offset, dst);
        return null;
    }

    /**
     * Writes {@code data} (position to limit) at {@code offset}; returns the bytes written.
     * {@code writeFlags} are FUSE_WRITE_* bits, {@code flags} the file's open flags.
     */
    default int write(Context ctx, long nodeId, long fh, long offset, ByteBuffer data, int writeFlags, int flags)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Filesystem statistics for the filesystem holding {@code nodeId}. */
    default StatFs statfs(Context ctx, long nodeId) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * The last close of an open file. Errors are ignored by the kernel. {@code releaseFlags} has
     * FUSE_RELEASE_FLUSH when a flush is implied.
     */
    default void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** fsync(2); ENOSYS makes the kernel treat later fsyncs as successful without asking. */
    default void fsync(Context ctx, long nodeId, long fh, boolean datasync) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Sets an extended attribute; ENOSYS makes the kernel answer EOPNOTSUPP from then on. */
    default void setxattr(Context ctx, long nodeId, byte[] name, byte[] value, int flags) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * The value of an extended attribute. The server handles the size protocol (a size-0 query gets
     * the length; a too-small buffer gets ERANGE). Errors: ENODATA (no such attribute); ENOSYS makes
     * the kernel answer EOPNOTSUPP from then on.
     */
    default byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** The names of all extended attributes (full names, with prefixes); the server adds the NULs. */
    default List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    default void removexattr(Context ctx, long nodeId, byte[] name) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Called on each close(2) of an open file; ENOSYS makes the kernel stop sending FLUSH. */
    default void flush(Context ctx, long nodeId, long fh, long lockOwner) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Opens a directory. ENOSYS with {@link FsOptions#NO_OPENDIR_SUPPORT} enabled means "no opendir
     * needed" (fh 0 from then on).
     */
    default OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Lists a directory starting at {@code offset} (0 for the start, else a {@code nextOffset} given
     * earlier). Put entries into {@code sink} until it returns {@code false} or the directory ends;
     * an empty reply means end of directory. The filesystem should include "." and "..".
     */
    default void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * Like {@link #readdir} but each entry carries what lookup would return; used instead of
     * readdir when {@link FsOptions#DO_READDIRPLUS} is enabled (the kernel does not fall back to
     * readdir on ENOSYS). See {@link DirPlusSink#add} for when a lookup count is taken.
     */
    default void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** The last close of an open directory. Errors are ignored by the kernel. */
    default void releasedir(Context ctx, long nodeId, long fh, int flags) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** fsync(2) on a directory; ENOSYS makes the kernel stop asking. */
    default void fsyncdir(Context ctx, long nodeId, long fh, boolean datasync) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Tests for a POSIX lock (only sent when POSIX_LOCKS is enabled). */
    default FileLock getlk(Context ctx, long nodeId, long fh, long owner, FileLock lock, int lkFlags)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Takes or releases a lock; {@code sleep} for SETLKW (only sent when POSIX_LOCKS/FLOCK_LOCKS). */
    default void setlk(Context ctx, long nodeId, long fh, long owner, FileLock lock, int lkFlags, boolean sleep)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * access(2) check ({@code mask} of R_OK 4, W_OK 2, X_OK 1, or F_OK 0). Not sent when mounted
     * with default_permissions; ENOSYS makes the kernel grant all later checks.
     */
    default void access(Context ctx, long nodeId, int mask) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Creates and opens a regular file; ENOSYS makes the kernel use mknod + open instead. */
    default CreateReply create(Context ctx, long parent, byte[] name, int mode, int flags, int umask)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Maps a file block to a device block (block-device-backed mounts only). */
    default long bmap(Context ctx, long nodeId, long block, int blocksize) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    default void fallocate(Context ctx, long nodeId, long fh, long offset, long length, int mode)
            throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /**
     * lseek(2) for SEEK_DATA (3) and SEEK_HOLE (4); the kernel handles SEEK_SET/CUR/END itself.
     * Returns the resulting offset. Errors: ENXIO when no data (SEEK_DATA) lies at or after
     * {@code offset} or {@code offset} is at or past the end. ENOSYS makes the kernel fall back to
     * treating the whole file as data from then on.
     */
    default long lseek(Context ctx, long nodeId, long fh, long offset, int whence) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Copies a range between two open files; returns the bytes copied. ENOSYS: the kernel copies itself. */
    default long copyFileRange(Context ctx, long nodeIdIn, long fhIn, long offsetIn, long nodeIdOut, long fhOut,
            long offsetOut, long length, long flags) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** syncfs(2) on the filesystem holding {@code nodeId}. */
    default void syncfs(Context ctx, long nodeId) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }

    /** Creates an unnamed open file in {@code parent} (O_TMPFILE). */
    default CreateReply tmpfile(Context ctx, long parent, int mode, int flags, int umask) throws FsException {
        throw new FsException(Errno.ENOSYS);
    }
}
