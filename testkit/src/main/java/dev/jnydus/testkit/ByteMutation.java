package dev.jnydus.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One change to the bytes of a binary image, for parse-or-reject properties: bit flips,
 * truncation, absurd 32- and 64-bit values at aligned offsets, small 16-bit values (offsets, counts
 * and ids pointing back: cycles), and blocks of the image copied over other places. {@code where}
 * and {@code what} scale to the image at hand, so one generator serves every format.
 */
public record ByteMutation(int kind, double where, long what, int bits) {

    /** Random mutations, shrinkable by jqwik. */
    public static Arbitrary<ByteMutation> arbitrary() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.doubles().between(0, 1),
                Arbitraries.longs(), Arbitraries.integers().between(1, 8)).as(ByteMutation::new);
    }

    /** One to four mutations applied in turn. */
    public static Arbitrary<List<ByteMutation>> lists() {
        return arbitrary().list().ofMinSize(1).ofMaxSize(4);
    }

    public static byte[] applyAll(byte[] original, List<ByteMutation> mutations) {
        byte[] b = original;
        for (ByteMutation m : mutations) {
            b = m.apply(b);
        }
        return b;
    }

    public byte[] apply(byte[] original) {
        byte[] b = original.clone();
        if (b.length == 0) {
            return b;
        }
        int pos = (int) Math.min(b.length - 1, Math.floor(where * b.length));
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (kind) {
            case 0 -> {
                for (int i = 0; i < bits; i++) {
                    int p = (int) Math.floorMod(pos + what * (i + 1) * 7919, b.length);
                    b[p] ^= (byte) (1 << ((what >>> i) & 7));
                }
            }
            case 1 -> {
                return Arrays.copyOf(b, pos);
            }
            case 2 -> {
                int p = pos & ~3;
                if (p + 4 <= b.length) {
                    le.putInt(p, (int) absurd());
                }
            }
            case 3 -> {
                int p = pos & ~7;
                if (p + 8 <= b.length) {
                    le.putLong(p, absurd());
                }
            }
            case 4 -> {
                int p = pos & ~1;
                if (p + 2 <= b.length) {
                    le.putShort(p, (short) (what & 0x7F));
                }
            }
            default -> {
                int len = Math.min(bits * 16, b.length);
                int from = (int) Math.floorMod(what, Math.max(1, b.length - len));
                int to = Math.max(0, Math.min(pos, b.length - len));
                System.arraycopy(original, from, b, to, len);
            }
        }
        return b;
    }

    private long absurd() {
        return switch ((int) Math.floorMod(what, 8)) {
            case 0 -> 0;
            case 1 -> 0xFFFF_FFFFL;
            case 2 -> -1L;
            case 3 -> Long.MAX_VALUE;
            case 4 -> 1;
            case 5 -> 0x8000_0000L;
            case 6 -> what >>> 3;
            default -> Integer.MAX_VALUE;
        };
    }
}
