package dev.jnydus.fscache.cachefiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static ByteBuffer le(int... words) {
        ByteBuffer b = ByteBuffer.allocate(words.length * 4).order(ByteOrder.nativeOrder());
        for (int w : words) {
            b.putInt(w);
        }
        return b.flip();
    }

    /** The OPEN of the smoke example's data blob (spec 4.1), byte by byte. */
    @Test
    void decodesAnOpenAsTheKernelWritesIt() throws Exception {
        String volume = "erofs,smoke-domain";
        String cookie = "85deb2ebd44dab560a06a2ccffb21b76e5ca704775b0367d2d78f52f6c3469f1";
        ByteBuffer b = ByteBuffer.allocate(32 + 19 + 64).order(ByteOrder.nativeOrder());
        b.putInt(24)        // msg_id
                .putInt(0)  // opcode OPEN
                .putInt(32 + 19 + 64) // len, header included
                .putInt(4)  // object_id
                .putInt(19) // volume_key_size, with its NUL
                .putInt(64) // cookie_key_size, no NUL
                .putInt(7)  // fd
                .putInt(0); // flags
        b.put(volume.getBytes()).put((byte) 0).put(cookie.getBytes()).flip();

        CachefilesMessage m = MessageCodec.decode(b);

        assertThat(m).isEqualTo(new CachefilesMessage.Open(24, 4, volume, cookie, 7, 0));
    }

    @Test
    void decodesReadAndClose() throws Exception {
        ByteBuffer read = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        read.putInt(27).putInt(2).putInt(32).putInt(4).putLong(4096).putLong(131072).flip();
        assertThat(MessageCodec.decode(read)).isEqualTo(new CachefilesMessage.Read(27, 4, 4096, 131072));

        assertThat(MessageCodec.decode(le(583, 1, 16, 5))).isEqualTo(new CachefilesMessage.Close(583, 5));
    }

    @Test
    void aLengthThatDisagreesWithTheReadIsRefusedKeepingTheFd() {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
        b.putInt(3).putInt(0).putInt(41).putInt(1).putInt(4).putInt(4).putInt(9).putInt(0).putLong(0).flip();
        assertThatThrownBy(() -> MessageCodec.decode(b))
                .isInstanceOfSatisfying(CachefilesProtocolException.class, e -> {
                    assertThat(e.msgId()).isEqualTo(3);
                    assertThat(e.fd()).hasValue(9);
                })
                .hasMessageContaining("says 41 bytes, read 40");
    }

    @Test
    void refusesAVolumeKeyWithoutItsNul() {
        ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        b.putInt(1).putInt(0).putInt(36).putInt(1).putInt(2).putInt(2).putInt(5).putInt(0);
        b.put((byte) 'a').put((byte) 'b').put((byte) 'c').put((byte) 'd').flip();
        assertThatThrownBy(() -> MessageCodec.decode(b)).isInstanceOf(CachefilesProtocolException.class)
                .hasMessageContaining("not NUL-terminated");
    }

    @Test
    void refusesUnknownOpcodesAndShortMessages() {
        assertThatThrownBy(() -> MessageCodec.decode(le(1, 9, 16, 1))).isInstanceOf(CachefilesProtocolException.class)
                .hasMessageContaining("unknown opcode 9");
        assertThatThrownBy(() -> MessageCodec.decode(le(1, 1, 12))).isInstanceOf(CachefilesProtocolException.class)
                .hasMessageContaining("shorter than its header");
        assertThatThrownBy(() -> MessageCodec.decode(le(1, 2, 16, 1))).isInstanceOf(CachefilesProtocolException.class)
                .hasMessageContaining("READ 1 has 16 bytes");
    }

    @Property
    void anyBytesDecodeOrAreRefused(@ForAll @Size(max = 1100) byte[] bytes) {
        try {
            CachefilesMessage m = MessageCodec.decode(ByteBuffer.wrap(bytes));
            assertThat(MessageCodec.encode(m)).isEqualTo(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
        } catch (CachefilesProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property
    void encodedMessagesDecodeToThemselves(@ForAll int msgId, @ForAll int objectId, @ForAll("keys") String volume,
                                           @ForAll("keys") String cookie, @ForAll int fd) throws Exception {
        CachefilesMessage open = new CachefilesMessage.Open(msgId, objectId, volume, cookie, fd, 0);
        assertThat(MessageCodec.decode(MessageCodec.encode(open))).isEqualTo(open);
        CachefilesMessage read = new CachefilesMessage.Read(msgId, objectId, Math.abs((long) fd) << 12, 4096);
        assertThat(MessageCodec.decode(MessageCodec.encode(read))).isEqualTo(read);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> keys() {
        return net.jqwik.api.Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64);
    }
}
