package dev.jnydus.fscache.fanotify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class FanotifyEventDecoderTest {

    /** A pre-access event as the 6.18 kernel writes it: 24 bytes of metadata, a 24-byte range record. */
    private static byte[] preAccess(int fd, int pid, long offset, long count) {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(48);                // event_len: metadata plus the range record
        b.put((byte) 3);             // vers: FANOTIFY_METADATA_VERSION
        b.put((byte) 0);             // reserved
        b.putShort((short) 24);      // metadata_len: info records start here
        b.putLong(0x00100000L);      // mask: FAN_PRE_ACCESS
        b.putInt(fd);                // fd of the marked file, opened for us
        b.putInt(pid);               // pid (a tid with FAN_REPORT_TID)
        b.put((byte) 6);             // info_type: FAN_EVENT_INFO_TYPE_RANGE
        b.put((byte) 0);             // pad
        b.putShort((short) 24);      // len of the record, header included
        b.putInt(0);                 // pad
        b.putLong(offset);           // offset in the marked file
        b.putLong(count);            // count of bytes
        return b.array();
    }

    private static ByteBuffer concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.flip();
    }

    @Test
    void decodesABatchOfPreAccessEvents() throws Exception {
        List<FanotifyEvent> events = FanotifyEventDecoder.decode(concat(preAccess(7, 1234, 0, 65536),
                preAccess(8, 1235, 131072, 4096)));
        assertThat(events).containsExactly(new FanotifyEvent(0x00100000L, 7, 1234, 0, 65536, true),
                new FanotifyEvent(0x00100000L, 8, 1235, 131072, 4096, true));
        assertThat(events.get(0).isBoundedPreAccess()).isTrue();
        assertThat(events.get(0).isOverflow()).isFalse();
    }

    @Test
    void findsTheRangeRecordByTypeAfterAPidfdRecord() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(56).put((byte) 3).put((byte) 0).putShort((short) 24).putLong(0x00100000L).putInt(9).putInt(77);
        b.put((byte) 4).put((byte) 0).putShort((short) 8).putInt(123);    // FAN_EVENT_INFO_TYPE_PIDFD
        b.put((byte) 6).put((byte) 0).putShort((short) 24).putInt(0).putLong(8192).putLong(12288);
        FanotifyEvent e = FanotifyEventDecoder.decode(b.flip()).get(0);
        assertThat(e.offset()).isEqualTo(8192);
        assertThat(e.count()).isEqualTo(12288);
        assertThat(e.hasRange()).isTrue();
    }

    @Test
    void anEventWithoutARangeIsNotBounded() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(24).put((byte) 3).put((byte) 0).putShort((short) 24).putLong(0x00100000L).putInt(5).putInt(1);
        FanotifyEvent e = FanotifyEventDecoder.decode(b.flip()).get(0);
        assertThat(e.hasRange()).isFalse();
        assertThat(e.isBoundedPreAccess()).isFalse();
    }

    @Test
    void theOverflowEventHasNoDescriptor() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(24).put((byte) 3).put((byte) 0).putShort((short) 24).putLong(0x4000L).putInt(-1).putInt(0);
        FanotifyEvent e = FanotifyEventDecoder.decode(b.flip()).get(0);
        assertThat(e.isOverflow()).isTrue();
        assertThat(e.fd()).isEqualTo(FanotifyEvent.NO_FD);
    }

    @Test
    void aTruncatedTailIsLeftUndecoded() throws Exception {
        byte[] two = concat(preAccess(7, 1, 0, 4096), preAccess(8, 1, 4096, 4096)).array();
        ByteBuffer cut = ByteBuffer.wrap(two, 0, 48 + 30).slice();
        assertThat(FanotifyEventDecoder.decode(cut)).hasSize(1);
    }

    @Test
    void anUnknownMetadataVersionIsAProtocolError() {
        byte[] e = preAccess(7, 1, 0, 4096);
        e[4] = 4;
        assertThatThrownBy(() -> FanotifyEventDecoder.decode(ByteBuffer.wrap(e)))
                .isInstanceOf(FanotifyProtocolException.class).hasMessageContaining("version 4");
    }

    @Test
    void decodingLeavesTheBufferAlone() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(preAccess(7, 1, 0, 4096));
        FanotifyEventDecoder.decode(b);
        assertThat(b.position()).isZero();
        assertThat(b.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Property(tries = 2000)
    void anyBytesDecodeOrAreAProtocolError(@ForAll byte[] bytes) {
        try {
            List<FanotifyEvent> events = FanotifyEventDecoder.decode(ByteBuffer.wrap(bytes));
            assertThat(events.size()).isLessThanOrEqualTo(bytes.length / FanotifyEventDecoder.METADATA_LEN);
        } catch (FanotifyProtocolException e) {
            assertThat(e).hasMessageContaining("version");
        }
    }

    @Property(tries = 500)
    void encodedEventsComeBackAsTheyWere(@ForAll int fd, @ForAll int pid, @ForAll long offset, @ForAll long count) {
        try {
            FanotifyEvent e = FanotifyEventDecoder.decode(ByteBuffer.wrap(preAccess(fd, pid, offset, count))).get(0);
            assertThat(e).isEqualTo(new FanotifyEvent(0x00100000L, fd, pid, offset, count, true));
        } catch (FanotifyProtocolException ex) {
            throw new AssertionError(ex);
        }
    }
}
