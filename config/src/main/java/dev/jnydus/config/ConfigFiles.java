package dev.jnydus.config;

import java.io.IOException;
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

    static String read(Path file) throws ConfigException {
        try {
            long size = Files.size(file);
            if (size > NydusConfig.MAX_FILE_SIZE) {
                throw ConfigException.io(file + ": configuration file size is too big (" + size
                        + " bytes, limit " + NydusConfig.MAX_FILE_SIZE + ")", null);
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > NydusConfig.MAX_FILE_SIZE) {
                throw ConfigException.io(file + ": configuration file size is too big", null);
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
