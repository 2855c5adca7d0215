package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    @Test
    void everyEntryOfTheTableMapsToItsErrno() {
        assertThat(Errors.toErrno(new FsException(Errno.ENOSPC))).isEqualTo(Errno.ENOSPC);
        assertThat(Errors.toErrno(new NoSuchFileException("x"))).isEqualTo(Errno.ENOENT);
        assertThat(Errors.toErrno(new FileNotFoundException("x"))).isEqualTo(Errno.ENOENT);
        assertThat(Errors.toErrno(new AccessDeniedException("x"))).isEqualTo(Errno.EACCES);
        assertThat(Errors.toErrno(new FileAlreadyExistsException("x"))).isEqualTo(Errno.EEXIST);
        assertThat(Errors.toErrno(new NotDirectoryException("x"))).isEqualTo(Errno.ENOTDIR);
        assertThat(Errors.toErrno(new DirectoryNotEmptyException("x"))).isEqualTo(Errno.ENOTEMPTY);
        assertThat(Errors.toErrno(new ReadOnlyFileSystemException())).isEqualTo(Errno.EROFS);
        assertThat(Errors.toErrno(new InterruptedIOException())).isEqualTo(Errno.EINTR);
        assertThat(Errors.toErrno(new OutOfMemoryError())).isEqualTo(Errno.ENOMEM);
    }

    @Test
    void unknownThrowablesAreEio() {
        assertThat(Errors.toErrno(new IOException("x"))).isEqualTo(Errno.EIO);
        assertThat(Errors.toErrno(new IllegalStateException())).isEqualTo(Errno.EIO);
    }

    @Test
    void wrappersOfAsyncResultsAreLookedThrough() {
        FsException inner = new FsException(Errno.ETIMEDOUT, "slow");
        assertThat(Errors.toErrno(new ExecutionException(inner))).isEqualTo(Errno.ETIMEDOUT);
        assertThat(Errors.toFsException(new CompletionException(inner))).isSameAs(inner);
        assertThat(Errors.toFsException(new IOException("boom")).errno()).isEqualTo(Errno.EIO);
        assertThat(Errors.toFsException(new IOException("boom")).getMessage()).isEqualTo("boom");
    }
}
