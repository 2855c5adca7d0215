package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FsExceptionTest {
    @Test
    void answerCarriesTheErrnoAndNoStackTrace() {
        FsException e = FsException.answer(Errno.ENODATA);

        assertThat(e.errno()).isEqualTo(Errno.ENODATA);
        assertThat(e.getMessage()).startsWith("ENODATA");
        assertThat(e.getStackTrace()).isEmpty();
    }

    @Test
    void anOrdinaryFsExceptionKeepsItsStackTrace() {
        FsException e = new FsException(Errno.EIO, "failed");

        assertThat(e.getStackTrace()).isNotEmpty();
    }
}
