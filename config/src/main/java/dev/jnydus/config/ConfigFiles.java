package dev.jnydus.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads configuration files with upstream's size limit and strict UTF-8. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /**
     * Reads at most one byte more than the limit, whatever the file claims to hold: a device
     * ({@code /dev/zero}) or a pipe reports size 0 and never ends, so the size check alone cannot
     * stop the read.
     */
    static String read(Path file) throws ConfigException {
        try {
            long size = Files.size(file);
            if (size > NydusConfig.MAX_FILE_SIZE) {
                throw ConfigException.io(file + ": configuration file size is too big (" + size
                        + " bytes, limit " + NydusConfig.MAX_FILE_SIZE + ")", null);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) NydusConfig.MAX_FILE_SIZE + 1);
            }
            if (bytes.length > NydusConfig.MAX_FILE_SIZE) {
                throw ConfigException.io(file + ": configuration file size is too big (more than "
                        + NydusConfig.MAX_FILE_SIZE + " bytes)", null);
            }
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ConfigException.io(file + ": stream did not contain valid UTF-8", e);
        } catch (IOException e) {
            throw ConfigException.io(file + ": " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
