package dev.jnydus.sys;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Unix-domain stream sockets: socketpair, connect, listen and accept by path, and {@code sendmsg}/{@code recvmsg}
 * with descriptors attached ({@code SCM_RIGHTS}), which the supervisor protocol needs and Netty
 * does not offer beside data.
 */
public final class UnixSockets {
    private UnixSockets() {
    }

    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** socketpair(2) of {@link #AF_UNIX}; {@code SOCK_CLOEXEC} is always added. */
    public static Fd[] socketpair(int type) throws FsException {
        Sys.ensureAvailable();
        int[] sv = new int[2];
        if (LibC.socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0) {
            throw Sys.lastError("socketpair");
        }
        return new Fd[] {new Fd(sv[0]), new Fd(sv[1])};
    }

    /** A stream socket connected to a Unix-domain socket path (the supervisor socket, say). */
    public static Fd connectUnix(Path path) throws FsException {
        Fd fd = unixSocket();
        boolean ok = false;
        try {
            ByteBuffer addr = sockaddrUn(path);
            if (LibC.connect(fd.get(), Sys.address(addr), addr.capacity()) < 0) {
                throw Sys.lastError("connect(" + path + ")");
            }
            Reference.reachabilityFence(addr);
            ok = true;
            return fd;
        } finally {
            if (!ok) {
                fd.close();
            }
        }
    }

    /** A listening stream socket bound to a Unix-domain socket path, which must not exist. */
    public static Fd listenUnix(Path path, int backlog) throws FsException {
        Fd fd = unixSocket();
        boolean ok = false;
        try {
            ByteBuffer addr = sockaddrUn(path);
            if (LibC.bind(fd.get(), Sys.address(addr), addr.capacity()) < 0) {
                throw Sys.lastError("bind(" + path + ")");
            }
            Reference.reachabilityFence(addr);
            if (LibC.listen(fd.get(), backlog) < 0) {
                throw Sys.lastError("listen(" + path + ")");
            }
            ok = true;
            return fd;
        } finally {
            if (!ok) {
                fd.close();
            }
        }
    }

    /** accept4(2) with {@code SOCK_CLOEXEC}. */
    public static Fd accept(Fd listening) throws FsException {
        Sys.ensureAvailable();
        int fd = LibC.accept4(listening.get(), 0, 0, SOCK_CLOEXEC);
        if (fd < 0) {
            throw Sys.lastError("accept(" + listening.number() + ")");
        }
        return new Fd(fd);
    }

    private static Fd unixSocket() throws FsException {
        Sys.ensureAvailable();
        int fd = LibC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Sys.lastError("socket(AF_UNIX)");
        }
        return new Fd(fd);
    }

    /** {@code struct sockaddr_un}: sa_family_t (2 bytes) then a 108-byte NUL-terminated path. */
    private static ByteBuffer sockaddrUn(Path path) throws FsException {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) {
            throw new FsException(Errno.ENAMETOOLONG, "unix socket path longer than 107 bytes: " + path);
        }
        ByteBuffer addr = ByteBuffer.allocateDirect(110).order(ByteOrder.nativeOrder());
        addr.putShort(0, (short) AF_UNIX);
        addr.put(2, p);
        return addr;
    }

    // Layout of struct msghdr on LP64: name(8) namelen(4)+pad(4) iov(8) iovlen(8) control(8)
    // controllen(8) flags(4)+pad(4) = 56 bytes. struct cmsghdr: len(8) level(4) type(4) data.
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_HDR = 16;

    private static int cmsgSpace(int dataLen) {
        return CMSG_HDR + ((dataLen + 7) & ~7);
    }

    /**
     * sendmsg(2) of {@code data[position, limit)} with descriptors attached as {@code SCM_RIGHTS}.
     * Returns the bytes sent (which may be fewer than offered on a stream socket: the rest goes
     * with plain writes, without the descriptors). {@code MSG_NOSIGNAL}: a closed peer is EPIPE.
     */
    public static int sendWithFds(Fd socket, ByteBuffer data, Fd... fds) throws FsException {
        Sys.ensureAvailable();
        ByteBuffer src = data.isDirect() ? data : Sys.direct(data.duplicate());
        int ctlLen = fds.length == 0 ? 0 : cmsgSpace(4 * fds.length);
        ByteBuffer m = ByteBuffer.allocateDirect(MSGHDR_SIZE + 16 + ctlLen).order(ByteOrder.nativeOrder());
        long base = Sys.address(m);
        long iov = base + MSGHDR_SIZE;
        long ctl = iov + 16;
        m.putLong(MSGHDR_SIZE, Sys.address(src) + src.position());
        m.putLong(MSGHDR_SIZE + 8, src.remaining());
        m.putLong(16, iov);
        m.putLong(24, 1);
        if (ctlLen > 0) {
            int c = MSGHDR_SIZE + 16;
            m.putLong(c, CMSG_HDR + 4L * fds.length);
            m.putInt(c + 8, SOL_SOCKET);
            m.putInt(c + 12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                m.putInt(c + CMSG_HDR + 4 * i, fds[i].get());
            }
            m.putLong(32, ctl);
            m.putLong(40, ctlLen);
        }
        // Safe because: every pointer in the msghdr points into m or src, both kept alive below.
        long n = LibC.sendmsg(socket.get(), base, MSG_NOSIGNAL);
        Reference.reachabilityFence(m);
        Reference.reachabilityFence(src);
        if (n < 0) {
            throw Sys.lastError("sendmsg(" + socket.number() + ", " + fds.length + " fds)");
        }
        data.position(data.position() + (int) n);
        return (int) n;
    }

    /**
     * What {@link #recvWithFds} got: the byte count (0 at end of stream), the descriptors (owned by
     * the caller now), and whether the kernel dropped descriptors that did not fit.
     */
    public record Received(int bytes, List<Fd> fds, boolean controlTruncated) {
    }

    /**
     * recvmsg(2) into {@code dst[position, limit)} accepting up to {@code maxFds} descriptors
     * ({@code MSG_CMSG_CLOEXEC}).
     */
    public static Received recvWithFds(Fd socket, ByteBuffer dst, int maxFds) throws FsException {
        Sys.ensureAvailable();
        ByteBuffer into = dst.isDirect() ? dst : ByteBuffer.allocateDirect(dst.remaining());
        int intoPos = into.position();
        int ctlLen = cmsgSpace(4 * Math.max(1, maxFds));
        ByteBuffer m = ByteBuffer.allocateDirect(MSGHDR_SIZE + 16 + ctlLen).order(ByteOrder.nativeOrder());
        long base = Sys.address(m);
        m.putLong(MSGHDR_SIZE, Sys.address(into) + intoPos);
        m.putLong(MSGHDR_SIZE + 8, into.remaining());
        m.putLong(16, base + MSGHDR_SIZE);
        m.putLong(24, 1);
        m.putLong(32, base + MSGHDR_SIZE + 16);
        m.putLong(40, ctlLen);
        // Safe because: as in sendWithFds; the kernel writes at most the lengths given.
        long n = LibC.recvmsg(socket.get(), base, MSG_CMSG_CLOEXEC);
        Reference.reachabilityFence(m);
        Reference.reachabilityFence(into);
        if (n < 0) {
            throw Sys.lastError("recvmsg(" + socket.number() + ")");
        }
        long controlLen = m.getLong(40);
        int flags = m.getInt(48);
        List<Fd> fds = new ArrayList<>();
        int off = 0;
        // Walk the cmsg chain (CMSG_FIRSTHDR / CMSG_NXTHDR) within the length the kernel reported.
        while (off + CMSG_HDR <= controlLen) {
            int c = MSGHDR_SIZE + 16 + off;
            long len = m.getLong(c);
            if (len < CMSG_HDR || off + len > controlLen) {
                break;
            }
            if (m.getInt(c + 8) == SOL_SOCKET && m.getInt(c + 12) == SCM_RIGHTS) {
                int count = (int) ((len - CMSG_HDR) / 4);
                for (int i = 0; i < count; i++) {
                    fds.add(new Fd(m.getInt(c + CMSG_HDR + 4 * i)));
                }
            }
            off += (int) ((len + 7) & ~7L);
        }
        if (into != dst) {
            into.limit((int) n);
            dst.put(into);
        } else {
            dst.position(intoPos + (int) n);
        }
        return new Received((int) n, List.copyOf(fds), (flags & MSG_CTRUNC) != 0);
    }
}
