package dev.jnydus.testkit;

import dev.jnydus.fuse.abi.InHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds a FUSE request as the kernel would write it: a {@code fuse_in_header} whose length is
 * filled in at the end, then little-endian arguments. For tests that prefer structure to literal
 * byte arrays.
 */
public final class FuseRequest {
    private final ByteArrayOutputStream args = new ByteArrayOutputStream();
    private final int opcode;
    private final long unique;
    private final long nodeId;
    private int uid;
    private int gid;
    private int pid;

    private FuseRequest(int opcode, long unique, long nodeId) {
        this.opcode = opcode;
        this.unique = unique;
        this.nodeId = nodeId;
    }

    public static FuseRequest of(int opcode, long unique, long nodeId) {
        return new FuseRequest(opcode, unique, nodeId);
    }

    public FuseRequest caller(int uid, int gid, int pid) {
        this.uid = uid;
        this.gid = gid;
        this.pid = pid;
        return this;
    }

    public FuseRequest u32(int v) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
        args.writeBytes(b.array());
        return this;
    }

    public FuseRequest u64(long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        args.writeBytes(b.array());
        return this;
    }

    public FuseRequest bytes(byte[] v) {
        args.writeBytes(v);
        return this;
    }

    /** A name with its terminating NUL. */
    public FuseRequest name(String v) {
        args.writeBytes(v.getBytes(StandardCharsets.UTF_8));
        args.write(0);
        return this;
    }

    public byte[] build() {
        byte[] a = args.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(InHeader.SIZE + a.length).order(ByteOrder.LITTLE_ENDIAN);
        new InHeader(InHeader.SIZE + a.length, opcode, unique, nodeId, uid, gid, pid, 0).encode(b);
        return b.put(a).array();
    }
}
