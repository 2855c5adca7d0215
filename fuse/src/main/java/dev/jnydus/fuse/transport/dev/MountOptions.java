package dev.jnydus.fuse.transport.dev;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link FuseSession#mount} mounts. Defaults are what the Rust nydusd uses: source "rafs", type
 * "fuse", {@code nosuid,nodev,noatime,ro}, {@code default_permissions,allow_other}, and max_read
 * matched to the server's buffer.
 */
public record MountOptions(Path mountpoint, String fsName, String subtype, boolean readOnly, boolean allowOther,
        boolean defaultPermissions, int maxRead) {

    public MountOptions {
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(fsName, "fsName");
        if (fsName.isEmpty() || fsName.indexOf(',') >= 0 || fsName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad fs name '" + fsName + "'");
        }
        if (subtype != null && (subtype.isEmpty() || subtype.indexOf(',') >= 0 || subtype.indexOf('.') >= 0)) {
            throw new IllegalArgumentException("bad subtype '" + subtype + "'");
        }
        if (maxRead < 0) {
            throw new IllegalArgumentException("negative max_read " + maxRead);
        }
    }

    /** One MiB of data plus one page of headers: fuse-backend-rs's buffer, our default server buffer. */
    public static final int DEFAULT_MAX_READ = 256 * 4096 + 4096;

    public static Builder builder(Path mountpoint) {
        return new Builder(mountpoint);
    }

    /** The fs type given to mount(2): "fuse" or "fuse.subtype". */
    public String fsType() {
        return subtype == null ? "fuse" : "fuse." + subtype;
    }

    public static final class Builder {
        private final Path mountpoint;
        private String fsName = "rafs";
        private String subtype;
        private boolean readOnly = true;
        private boolean allowOther = true;
        private boolean defaultPermissions = true;
        private int maxRead = DEFAULT_MAX_READ;

        private Builder(Path mountpoint) {
            this.mountpoint = mountpoint;
        }

        /** The mount source shown in /proc/mounts. Default "rafs". */
        public Builder fsName(String v) {
            fsName = v;
            return this;
        }

        /** A subtype makes the type "fuse.subtype". Default none. */
        public Builder subtype(String v) {
            subtype = v;
            return this;
        }

        /** Default true (MS_RDONLY). */
        public Builder readOnly(boolean v) {
            readOnly = v;
            return this;
        }

        public Builder allowOther(boolean v) {
            allowOther = v;
            return this;
        }

        public Builder defaultPermissions(boolean v) {
            defaultPermissions = v;
            return this;
        }

        /** The max_read mount option; 0 leaves it out. */
        public Builder maxRead(int v) {
            maxRead = v;
            return this;
        }

        public MountOptions build() {
            return new MountOptions(mountpoint, fsName, subtype, readOnly, allowOther, defaultPermissions, maxRead);
        }
    }
}
