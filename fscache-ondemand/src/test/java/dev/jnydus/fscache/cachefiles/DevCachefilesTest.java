package dev.jnydus.fscache.cachefiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one clear error of a failed set-up, for each thing that can be missing. The kernel's answers
 * themselves are exercised in the guest; here each refusal is mapped as the kernel gives it.
 */
class DevCachefilesTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingDeviceNamesCachefiles() {
        assertThatThrownBy(() -> DevCachefiles.bind(tmp.resolve("no-such-device"), tmp, Optional.empty()))
                .isInstanceOfSatisfying(CachefilesSetupException.class,
                        e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessageContaining("this kernel has no cachefiles (CONFIG_CACHEFILES");
    }

    @Test
    void aMissingCacheDirectoryIsNamed() {
        assertThatThrownBy(() -> DevCachefiles.bind(tmp.resolve("dev"), tmp.resolve("nope"), Optional.empty()))
                .isInstanceOf(CachefilesSetupException.class)
                .hasMessageContaining("fscache directory " + tmp.resolve("nope") + " does not exist");
    }

    @Test
    void aBusyDeviceNamesTheOtherDaemon() {
        CachefilesSetupException e = DevCachefiles.openFailure(DevCachefiles.DEVICE,
                new FsException(Errno.EBUSY, "open: busy"));
        assertThat(e).hasMessageContaining("/dev/cachefiles is busy: another daemon");
        assertThat(DevCachefiles.openFailure(DevCachefiles.DEVICE, new FsException(Errno.EPERM, "x")))
                .hasMessageContaining("CAP_SYS_ADMIN");
    }

    @Test
    void aRefusedBindOndemandNamesTheMissingMode() {
        assertThat(DevCachefiles.commandFailure("bind ondemand", new FsException(Errno.EINVAL, "write"),
                DevCachefiles.DEVICE, tmp)).hasMessageContaining("no on-demand mode (CONFIG_CACHEFILES_ONDEMAND");
        assertThat(DevCachefiles.commandFailure("bind ondemand", new FsException(Errno.EOPNOTSUPP, "write"),
                DevCachefiles.DEVICE, tmp)).hasMessageContaining("cannot keep its cache in " + tmp)
                .hasMessageContaining("tmpfs");
        assertThat(DevCachefiles.commandFailure("restore", new FsException(Errno.EOPNOTSUPP, "write"),
                DevCachefiles.DEVICE, null)).hasMessageContaining("refused 'restore'");
        assertThat(DevCachefiles.commandFailure("dir /x", new FsException(Errno.EEXIST, "write"),
                DevCachefiles.DEVICE, tmp)).hasMessageContaining("already configured");
    }

    @Test
    void anUnopenableDeviceGivesTheKernelsReason() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("not-a-device"));
        assertThatThrownBy(() -> DevCachefiles.bind(dir, tmp, Optional.empty()))
                .isInstanceOf(CachefilesSetupException.class).hasMessageContaining("cannot open " + dir);
    }
}
