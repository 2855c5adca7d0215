package dev.jnydus.fuse.transport.dev;

import dev.jnydus.fuse.server.Server;
import java.nio.file.Path;

/** A child process for the crash test: mounts the test tree at args[0], says READY, serves until killed. */
public final class ServeMain {
    private ServeMain() {
    }

    public static void main(String[] args) throws Exception {
        FuseSession session = FuseSession.mount(MountOptions.builder(Path.of(args[0])).build());
        FuseWorkers.start(session, Server.builder(TestTree.build()).build(), 2);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
