package dev.jnydus.common;

import java.io.FileNotFoundException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one table that turns a foreign exception into the errno a kernel sees. Anything unknown is
 * EIO: a reader must get an error, never a guess that looks like success.
 */
public final class Errors {
    private Errors() {
    }

    public static Errno toErrno(Throwable t) {
        Throwable cur = unwrap(t);
        if (cur instanceof FsException fs) {
            return fs.errno();
        }
        if (cur instanceof NoSuchFileException || cur instanceof FileNotFoundException) {
            return Errno.ENOENT;
        }
        if (cur instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (cur instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (cur instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (cur instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (cur instanceof ReadOnlyFileSystemException) {
            return Errno.EROFS;
        }
        if (cur instanceof InterruptedIOException || cur instanceof InterruptedException) {
            return Errno.EINTR;
        }
        if (cur instanceof OutOfMemoryError) {
            return Errno.ENOMEM;
        }
        return Errno.EIO;
    }

    /** Wraps any throwable as an {@link FsException}, keeping an existing one as it is. */
    public static FsException toFsException(Throwable t) {
        Throwable cur = unwrap(t);
        if (cur instanceof FsException fs) {
            return fs;
        }
        String msg = cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
        return new FsException(toErrno(cur), msg, cur);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
