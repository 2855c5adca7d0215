package dev.jnydus.fuse.server;

import dev.jnydus.fuse.abi.AttrOut;
import dev.jnydus.fuse.abi.EntryOut;
import dev.jnydus.fuse.abi.FuseAttr;
import dev.jnydus.fuse.abi.Kstatfs;
import dev.jnydus.fuse.abi.OpenOut;
import dev.jnydus.fuse.api.Attr;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.StatFs;
import java.time.Duration;

/** Maps api values to wire records. */
final class Encoding {
    private Encoding() {
    }

    static FuseAttr attr(Attr a) {
        return new FuseAttr(a.ino(), a.size(), a.blocks(), a.atime(), a.mtime(), a.ctime(), a.atimeNsec(),
                a.mtimeNsec(), a.ctimeNsec(), a.mode(), a.nlink(), a.uid(), a.gid(), a.rdev(), a.blksize(), a.flags());
    }

    static EntryOut entryOut(Entry e) {
        Duration ev = e.entryTimeout();
        Duration av = e.attrTimeout();
        return new EntryOut(e.nodeId(), e.generation(), ev.getSeconds(), av.getSeconds(), ev.getNano(),
                av.getNano(), attr(e.attr()));
    }

    static AttrOut attrOut(AttrReply r) {
        return new AttrOut(r.timeout().getSeconds(), r.timeout().getNano(), attr(r.attr()));
    }

    static OpenOut openOut(OpenReply r) {
        return new OpenOut(r.fh(), r.flags(), 0);
    }

    static Kstatfs statfs(StatFs s) {
        return new Kstatfs(s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree(), s.bsize(), s.namelen(),
                s.frsize());
    }
}
