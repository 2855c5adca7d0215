package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void numbersMatchTheKernelHeaders() throws IOException {
        Path base = Path.of("/usr/include/asm-generic/errno-base.h");
        Path more = Path.of("/usr/include/asm-generic/errno.h");
        assumeTrue(Files.exists(base) && Files.exists(more), "kernel uapi headers not installed");
        Map<String, Integer> defs = new HashMap<>();
        Pattern p = Pattern.compile("#define\\s+(E[A-Z0-9]+)\\s+(\\d+)");
        for (Path h : new Path[] {base, more}) {
            Matcher m = p.matcher(Files.readString(h));
            while (m.find()) {
                defs.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        for (Errno e : Errno.values()) {
            assertThat(defs.get(e.name())).as(e.name()).isEqualTo(e.number());
        }
    }

    @Test
    void lookupByNumberRoundTrips() {
        for (Errno e : Errno.values()) {
            assertThat(Errno.of(e.number())).isEqualTo(e);
        }
        assertThat(Errno.of(0)).isNull();
        assertThat(Errno.of(-5)).isNull();
        assertThat(Errno.ofOrEio(100_000)).isEqualTo(Errno.EIO);
    }
}
