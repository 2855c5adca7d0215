package dev.jnydus.fuse.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins every wire struct's size, checks that encode/decode round-trip, and compares with the C header. */
class AbiLayoutTest {
    /** Record class to C struct name; sizes are the kernel's. */
    static final Map<Class<? extends Record>, String> STRUCTS = new LinkedHashMap<>();

    static {
        STRUCTS.put(InHeader.class, "fuse_in_header");
        STRUCTS.put(OutHeader.class, "fuse_out_header");
        STRUCTS.put(InitIn.class, "fuse_init_in");
        STRUCTS.put(InitOut.class, "fuse_init_out");
        STRUCTS.put(FuseAttr.class, "fuse_attr");
        STRUCTS.put(EntryOut.class, "fuse_entry_out");
        STRUCTS.put(AttrOut.class, "fuse_attr_out");
        STRUCTS.put(OpenIn.class, "fuse_open_in");
        STRUCTS.put(OpenOut.class, "fuse_open_out");
        STRUCTS.put(CreateIn.class, "fuse_create_in");
        STRUCTS.put(ReadIn.class, "fuse_read_in");
        STRUCTS.put(WriteIn.class, "fuse_write_in");
        STRUCTS.put(WriteOut.class, "fuse_write_out");
        STRUCTS.put(ReleaseIn.class, "fuse_release_in");
        STRUCTS.put(FlushIn.class, "fuse_flush_in");
        STRUCTS.put(GetattrIn.class, "fuse_getattr_in");
        STRUCTS.put(SetattrIn.class, "fuse_setattr_in");
        STRUCTS.put(GetxattrIn.class, "fuse_getxattr_in");
        STRUCTS.put(GetxattrOut.class, "fuse_getxattr_out");
        STRUCTS.put(SetxattrIn.class, "fuse_setxattr_in");
        STRUCTS.put(AccessIn.class, "fuse_access_in");
        STRUCTS.put(ForgetIn.class, "fuse_forget_in");
        STRUCTS.put(BatchForgetIn.class, "fuse_batch_forget_in");
        STRUCTS.put(ForgetOne.class, "fuse_forget_one");
        STRUCTS.put(InterruptIn.class, "fuse_interrupt_in");
        STRUCTS.put(LseekIn.class, "fuse_lseek_in");
        STRUCTS.put(LseekOut.class, "fuse_lseek_out");
        STRUCTS.put(Kstatfs.class, "fuse_kstatfs");
        STRUCTS.put(MknodIn.class, "fuse_mknod_in");
        STRUCTS.put(MkdirIn.class, "fuse_mkdir_in");
        STRUCTS.put(RenameIn.class, "fuse_rename_in");
        STRUCTS.put(Rename2In.class, "fuse_rename2_in");
        STRUCTS.put(LinkIn.class, "fuse_link_in");
        STRUCTS.put(FsyncIn.class, "fuse_fsync_in");
        STRUCTS.put(FallocateIn.class, "fuse_fallocate_in");
        STRUCTS.put(CopyFileRangeIn.class, "fuse_copy_file_range_in");
        STRUCTS.put(LkIn.class, "fuse_lk_in");
        STRUCTS.put(LkOut.class, "fuse_lk_out");
        STRUCTS.put(BmapIn.class, "fuse_bmap_in");
        STRUCTS.put(BmapOut.class, "fuse_bmap_out");
        STRUCTS.put(DirentHead.class, "fuse_dirent");
    }

    static int size(Class<?> c) throws ReflectiveOperationException {
        return c.getField("SIZE").getInt(null);
    }

    @Test
    void theSizesTheStyleGuidePins() {
        assertThat(InHeader.SIZE).isEqualTo(40);
        assertThat(OutHeader.SIZE).isEqualTo(16);
        assertThat(EntryOut.SIZE).isEqualTo(128);
        assertThat(AttrOut.SIZE).isEqualTo(104);
        assertThat(FuseAttr.SIZE).isEqualTo(88);
        assertThat(InitIn.SIZE).isEqualTo(64);
        assertThat(InitOut.SIZE).isEqualTo(64);
        assertThat(Kstatfs.SIZE).isEqualTo(80);
        assertThat(EntryOut.SIZE + DirentHead.SIZE).as("fuse_direntplus head").isEqualTo(152);
    }

    /** Builds an instance whose fields all differ and fit their wire width (16 bits at least). */
    static Object sample(Class<?> c, int seed) throws ReflectiveOperationException {
        RecordComponent[] comps = c.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            int v = seed * 31 + i + 1;
            if (types[i] == long.class) {
                args[i] = 0x0102030405060708L * v;
            } else if (types[i] == int.class) {
                args[i] = (0x7100 + v * 7) & 0xffff;
            } else {
                args[i] = sample(types[i], v);
            }
        }
        Constructor<?> ctor = c.getDeclaredConstructor(types);
        return ctor.newInstance(args);
    }

    @Test
    void everyRecordEncodesExactlyItsSizeAndDecodesBack() throws Exception {
        for (Class<? extends Record> c : STRUCTS.keySet()) {
            Object rec = sample(c, 3);
            ByteBuffer b = ByteBuffer.allocate(size(c) + 8).order(ByteOrder.LITTLE_ENDIAN);
            b.position(3);
            c.getMethod("encode", ByteBuffer.class).invoke(rec, b);
            assertThat(b.position() - 3).as(c.getSimpleName() + " encoded size").isEqualTo(size(c));
            b.position(3);
            Object back = c.getMethod("decode", ByteBuffer.class).invoke(null, b);
            assertThat(b.position() - 3).as(c.getSimpleName() + " decoded size").isEqualTo(size(c));
            assertThat(back).as(c.getSimpleName()).isEqualTo(rec);
        }
    }

    @Test
    void fieldsSitAtTheKernelOffsets() {
        ByteBuffer b = ByteBuffer.allocate(InHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        new InHeader(40, 15, 0x1122334455667788L, 0x0102030405060708L, 1000, 1001, 4242, 0).encode(b);
        assertThat(b.getInt(0)).isEqualTo(40);
        assertThat(b.getInt(4)).isEqualTo(15);
        assertThat(b.getLong(8)).isEqualTo(0x1122334455667788L);
        assertThat(b.getLong(16)).isEqualTo(0x0102030405060708L);
        assertThat(b.getInt(24)).isEqualTo(1000);
        assertThat(b.getInt(28)).isEqualTo(1001);
        assertThat(b.getInt(32)).isEqualTo(4242);
        ByteBuffer e = ByteBuffer.allocate(EntryOut.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        FuseAttr a = new FuseAttr(9, 10, 11, 12, 13, 14, 15, 16, 17, 0100644, 1, 2, 3, 4, 4096, 0);
        new EntryOut(7, 8, 30, 31, 5, 6, a).encode(e);
        assertThat(e.getLong(0)).isEqualTo(7);
        assertThat(e.getInt(36)).isEqualTo(6);
        assertThat(e.getLong(40)).as("attr.ino").isEqualTo(9);
        assertThat(e.getInt(40 + 60)).as("attr.mode").isEqualTo(0100644);
        assertThat(e.getInt(40 + 80)).as("attr.blksize").isEqualTo(4096);
    }

    /** Compiles a C program against the installed linux/fuse.h and compares every sizeof. */
    @Test
    void sizesMatchTheInstalledKernelHeader(@TempDir Path tmp) throws Exception {
        Path header = Path.of("/usr/include/linux/fuse.h");
        assumeTrue(Files.exists(header), "linux/fuse.h not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler");
        String headerText = Files.readString(header);
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <linux/fuse.h>\nint main(void){\n");
        for (String s : STRUCTS.values()) {
            if (s.equals("fuse_setxattr_in") && headerText.contains("FUSE_COMPAT_SETXATTR_IN_SIZE")) {
                // We never negotiate SETXATTR_EXT, so the kernel sends the compat (7.32) layout.
                c.append("printf(\"fuse_setxattr_in %d\\n\", FUSE_COMPAT_SETXATTR_IN_SIZE);\n");
            } else if (headerText.contains("struct " + s + " {")) {
                c.append("printf(\"").append(s).append(" %zu\\n\", sizeof(struct ").append(s).append("));\n");
            }
        }
        c.append("return 0;}\n");
        Path src = Files.writeString(tmp.resolve("sizes.c"), c);
        Path exe = tmp.resolve("sizes");
        Process cc = new ProcessBuilder("/usr/bin/cc", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(ccOut).isZero();
        Process run = new ProcessBuilder(exe.toString()).start();
        List<String> lines = List.of(new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        assertThat(run.waitFor()).isZero();
        Map<String, Integer> cSizes = new LinkedHashMap<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            cSizes.put(f[0], Integer.parseInt(f[1]));
        }
        assertThat(cSizes).hasSizeGreaterThan(35);
        for (Map.Entry<Class<? extends Record>, String> e : STRUCTS.entrySet()) {
            Integer cs = cSizes.get(e.getValue());
            if (cs != null) {
                assertThat(size(e.getKey())).as(e.getValue()).isEqualTo(cs);
            }
        }
    }

    @Test
    void opcodesMatchTheInstalledKernelHeader() throws Exception {
        Path header = Path.of("/usr/include/linux/fuse.h");
        assumeTrue(Files.exists(header), "linux/fuse.h not installed");
        Matcher m = Pattern.compile("\\bFUSE_([A-Z0-9_]+)\\s*=\\s*(\\d+)").matcher(Files.readString(header));
        int seen = 0;
        while (m.find()) {
            String name = m.group(1);
            int code = Integer.parseInt(m.group(2));
            if (code == 0 || code >= 64 || name.startsWith("NOTIFY_") || name.startsWith("MAX_")) {
                continue;
            }
            Opcode op = Opcode.of(code);
            assertThat(op).as("opcode %d (%s)", code, name).isNotNull();
            assertThat(op.name()).isEqualTo(name);
            assertThat(op.code()).isEqualTo(code);
            seen++;
        }
        assertThat(seen).isGreaterThan(45);
        assertThat(Opcode.of(0)).isNull();
        assertThat(Opcode.of(4096)).isNull();
        assertThat(Opcode.FORGET.noReply()).isTrue();
        assertThat(Opcode.LOOKUP.noReply()).isFalse();
    }

    @Test
    void direntAlignment() {
        assertThat(Fuse.direntAlign(25)).isEqualTo(32);
        assertThat(Fuse.direntAlign(32)).isEqualTo(32);
        assertThat(Fuse.direntAlign(153)).isEqualTo(160);
    }
}
