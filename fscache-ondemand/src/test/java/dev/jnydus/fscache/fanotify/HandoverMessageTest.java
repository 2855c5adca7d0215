package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HandoverMessageTest {
    @Test
    void roundTrips() {
        HandoverMessage m = new HandoverMessage("/mnt/a b", "/var/lib/boot");
        ByteBuffer b = m.encode();
        int n = HandoverMessage.announcedLength(b);
        assertThat(n).isEqualTo(b.remaining() - 4);
        byte[] text = new byte[n];
        b.position(4).get(text);
        assertThat(HandoverMessage.decode(text)).isEqualTo(m);
    }

    @Test
    void refusesOtherMessages() {
        assertThatThrownBy(() -> HandoverMessage.decode("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a fanotify handover");
        assertThatThrownBy(() -> HandoverMessage.decode((HandoverMessage.MAGIC + "\nmountpoint /m\nx y\n")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
        assertThat(HandoverMessage.announcedLength(ByteBuffer.allocate(4).putInt(0, -5))).isEqualTo(-1);
        assertThat(HandoverMessage.announcedLength(ByteBuffer.allocate(4).putInt(0, 1 << 30))).isEqualTo(-1);
    }
}
