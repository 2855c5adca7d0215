package dev.jnydus.sys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Errno;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Checks the {@link Errno} table's texts against the running libc, through the native binding. */
class ErrnoStrerrorTest {
    @Test
    void everyDescriptionMatchesLiveStrerror() throws Exception {
        assertThat(Sys.isAvailable()).isTrue();
        SoftAssertions soft = new SoftAssertions();
        for (Errno e : Errno.values()) {
            soft.assertThat(e.description()).as("%s (%d)", e, e.number()).isEqualTo(Sys.strerror(e.number()));
        }
        soft.assertAll();
    }

    @Test
    void unknownNumbersAreNotInTheTable() throws Exception {
        assertThat(Sys.strerror(4000)).startsWith("Unknown error");
        assertThat(Errno.of(4000)).isNull();
    }
}
