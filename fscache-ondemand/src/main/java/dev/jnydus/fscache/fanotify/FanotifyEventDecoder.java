package dev.jnydus.fscache.fanotify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes what {@code read(2)} of a fanotify group returned (spec section 4): a run of
 * {@code fanotify_event_metadata} records (24 bytes), each followed by info records found by type,
 * of which only the range record (type 6, 24 bytes: offset @8, count @16) matters here.
 *
 * <p>Walks while at least 24 bytes remain and the event length is between 24 and what remains, as
 * {@code FAN_EVENT_OK} does. A record of a metadata version other than 3 is a protocol error: its
 * fields cannot be trusted, not even its descriptor.
 */
final class FanotifyEventDecoder {
    static final int METADATA_LEN = 24;
    static final int METADATA_VERSION = 3;
    static final int INFO_HEADER_LEN = 4;
    static final int INFO_TYPE_RANGE = 6;
    static final int RANGE_RECORD_LEN = 24;

    private FanotifyEventDecoder() {
    }

    /** Decodes {@code [position, limit)} of {@code buf}; the buffer's position and order are left alone. */
    static List<FanotifyEvent> decode(ByteBuffer buf) throws FanotifyProtocolException {
        ByteBuffer b = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        List<FanotifyEvent> out = new ArrayList<>();
        int pos = 0;
        int end = b.limit();
        while (end - pos >= METADATA_LEN) {
            long eventLen = Integer.toUnsignedLong(b.getInt(pos));
            if (eventLen < METADATA_LEN || eventLen > end - pos) {
                break;
            }
            int vers = b.get(pos + 4) & 0xff;
            if (vers != METADATA_VERSION) {
                throw new FanotifyProtocolException("fanotify event metadata version " + vers + ", expected "
                        + METADATA_VERSION);
            }
            int metaLen = b.getShort(pos + 6) & 0xffff;
            long mask = b.getLong(pos + 8);
            int fd = b.getInt(pos + 16);
            int pid = b.getInt(pos + 20);
            long offset = 0;
            long count = 0;
            boolean hasRange = false;
            int info = pos + Math.max(metaLen, METADATA_LEN);
            int eventEnd = pos + (int) eventLen;
            while (eventEnd - info >= INFO_HEADER_LEN) {
                int type = b.get(info) & 0xff;
                int len = b.getShort(info + 2) & 0xffff;
                if (len < INFO_HEADER_LEN || len > eventEnd - info) {
                    break;
                }
                if (type == INFO_TYPE_RANGE && len >= RANGE_RECORD_LEN) {
                    offset = b.getLong(info + 8);
                    count = b.getLong(info + 16);
                    hasRange = true;
                }
                info += len;
            }
            out.add(new FanotifyEvent(mask, fd, pid, offset, count, hasRange));
            pos = eventEnd;
        }
        return out;
    }
}
