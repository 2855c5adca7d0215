package dev.jnydus.daemon.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where {@code --log-file} writes: upstream hands the name to flexi_logger, which always adds a
 * suffix, so a name without an extension gets {@code .log} (Rust's {@code Path::extension}: a
 * leading dot alone is not one) and a relative path is taken from the working directory.
 */
public final class LogFiles {
    private LogFiles() {
    }

    public static Path resolve(String arg, Path cwd) throws StartupException {
        Path p;
        try {
            p = Paths.get(arg);
        } catch (InvalidPathException e) {
            throw new StartupException("invalid file name input \"" + arg + "\"");
        }
        Path name = p.getFileName();
        if (name == null || name.toString().equals("..") || name.toString().equals(".") || arg.isEmpty()) {
            throw new StartupException("invalid file name input \"" + arg + "\"");
        }
        String file = name.toString();
        if (file.lastIndexOf('.') <= 0) {
            file = file + ".log";
        }
        Path parent = p.getParent();
        Path dir = parent == null ? cwd : (parent.isAbsolute() ? parent : cwd.resolve(parent));
        return dir.resolve(file);
    }
}
