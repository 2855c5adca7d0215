package dev.jnydus.fuse.transport.dev;

import dev.jnydus.fuse.server.Server;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.FdMessage;
import dev.jnydus.sys.Sys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child process for {@link SessionHandoverTest}: mounts the test tree at args[0] with reads of
 * the first lookup of {@code big} stalling, hands a duplicate of its session descriptor to the supervisor listening at
 * args[1], says READY, says STALLED when that lookup is stuck in it, and serves until
 * killed.
 */
public final class HandoverMain {
    private HandoverMain() {
    }

    public static void main(String[] args) throws Exception {
        FuseSession session = FuseSession.mount(MountOptions.builder(Path.of(args[0])).build());
        StallingFileSystem fs = new StallingFileSystem(TestTree.build(), "big", () -> {
            System.out.println("STALLED");
            System.out.flush();
        });
        FuseWorkers.start(session, Server.builder(fs).build(), 2);
        try (Fd dup = Sys.dup(session.fd())) {
            FdMessage.send(Path.of(args[1]), "session".getBytes(StandardCharsets.US_ASCII), dup);
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
