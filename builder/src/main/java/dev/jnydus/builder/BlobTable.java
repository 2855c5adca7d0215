package dev.jnydus.builder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The blob table of the image being built, filled as upstream's {@code BlobManager} fills it:
 * parent blobs first, then each blob in the order it is first needed: the new blob when its first
 * chunk is stored, a chunk-dictionary blob when one of its chunks is first referenced.
 */
final class BlobTable {
    private final List<BlobEntry> entries = new ArrayList<>();
    private final Map<Integer, Integer> dictIndex = new HashMap<>();
    private final List<BlobEntry> dictBlobs;
    private int newBlobIndex = -1;

    BlobTable(List<BlobEntry> parentBlobs, List<BlobEntry> dictBlobs) {
        entries.addAll(parentBlobs);
        this.dictBlobs = dictBlobs;
    }

    private void checkRoom() throws BuildException {
        if (entries.size() >= 255) {
            throw new BuildException("too many blobs: a RAFS image holds at most 255");
        }
    }

    /** The index of the blob this build writes, allocated on first use. */
    int newBlobIndex() throws BuildException {
        if (newBlobIndex < 0) {
            checkRoom();
            newBlobIndex = entries.size();
            entries.add(null); // filled by setNewBlob once the blob is finished
        }
        return newBlobIndex;
    }

    /** The index in this image of blob {@code i} of the chunk dictionary, allocated on first use. */
    int dictBlobIndex(int i) throws BuildException {
        Integer idx = dictIndex.get(i);
        if (idx == null) {
            checkRoom();
            idx = entries.size();
            entries.add(dictBlobs.get(i));
            dictIndex.put(i, idx);
        }
        return idx;
    }

    void setNewBlob(BlobEntry e) {
        entries.set(newBlobIndex, e);
    }

    List<BlobEntry> entries() {
        return List.copyOf(entries);
    }
}
