package dev.jnydus.daemon.cli;

import java.util.Objects;

/** What the daemon runs: the subcommand (no subcommand is the FUSE server). */
public sealed interface Service permits Service.Fuse, Service.Singleton, Service.Virtiofs {
    /** {@code nydusd [fuse] ...}: a dedicated FUSE server. */
    record Fuse(FuseOptions fuse, FsOptions fs) implements Service {
        public Fuse {
            Objects.requireNonNull(fuse, "fuse");
            Objects.requireNonNull(fs, "fs");
        }
    }

    /** {@code nydusd singleton ...}: blob cache manager, optionally with fscache. */
    record Singleton(SingletonOptions options) implements Service {
        public Singleton {
            Objects.requireNonNull(options, "options");
        }
    }

    /**
     * {@code nydusd virtiofs ...}: parsed so that help and errors are precise, refused at startup
     * because there is no vhost-user-fs backend.
     */
    record Virtiofs(String sock, boolean hybridMode, FsOptions fs) implements Service {
        public Virtiofs {
            Objects.requireNonNull(sock, "sock");
            Objects.requireNonNull(fs, "fs");
        }
    }
}
