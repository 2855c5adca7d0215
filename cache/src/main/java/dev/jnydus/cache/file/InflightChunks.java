package dev.jnydus.cache.file;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The chunks of one blob being fetched, so that concurrent readers of a missing chunk share one
 * backend request (single flight).
 *
 * <p>A chunk is fetched only by the thread that holds its {@link Claim}; everyone else who needs
 * it waits for that claim's result. A claim is taken inside a {@link ClaimSet}, whose
 * {@code close()} (in a {@code finally}, or try-with-resources) fails and releases every claim
 * still held: whatever a fetch throws, runtime exception or error, no claim outlives the code
 * that took it, and nobody waits for a result that will never come. A claim's owner
 * {@linkplain Claim#succeed hands out the data} first, then stores the chunk and marks it ready,
 * and only then {@linkplain Claim#release releases} it, so a chunk is always ready, claimed, or
 * neither (and then safe to claim).
 *
 * <p>Waits are bounded ({@link #await}): a fetch that outlives the backend's own timeout budget
 * gives its waiters EIO instead of a hang. Waits are not interruptible: an interrupt is kept for
 * the caller to see afterwards, but neither cuts a wait short nor turns into an errno the kernel
 * would take as "interrupted request".
 */
final class InflightChunks {
    private final ConcurrentHashMap<Integer, Claim> claims = new ConcurrentHashMap<>();
    private final String blobId;
    private final Duration waitLimit;

    InflightChunks(String blobId, Duration waitLimit) {
        this.blobId = blobId;
        this.waitLimit = waitLimit;
    }

    /** Number of chunks claimed right now (0 whenever no fetch is running). */
    int size() {
        return claims.size();
    }

    /** A new, empty set of claims for one fetch. */
    ClaimSet newSet() {
        return new ClaimSet();
    }

    /** The claim someone holds on chunk {@code id}, or null. */
    Claim holder(int id) {
        return claims.get(id);
    }

    /**
     * Waits for a claim's result, at most the wait limit, uninterruptibly.
     *
     * @throws FsException the claim's failure, or EIO when it did not complete in time
     */
    byte[] await(Claim c) throws FsException {
        return bounded(c.result, c, "the fetch under way did not finish");
    }

    /**
     * Waits until a claim is released, at most the wait limit, uninterruptibly: by then its chunk
     * is stored and ready, or its store failed and nobody holds it.
     *
     * @throws FsException EIO when it was not released in time
     */
    void awaitReleased(Claim c) throws FsException {
        bounded(c.released, c, "the fetch under way did not store it");
    }

    /**
     * Waits until every claim held now is released, each at most the wait limit: a fetch still
     * storing the rest of a range after its reader went on (for tests that count what is left).
     *
     * @throws FsException EIO when one was not released in time
     */
    void awaitAllReleased() throws FsException {
        for (Claim c : new ArrayList<>(claims.values())) {
            awaitReleased(c);
        }
    }

    private <T> T bounded(CompletableFuture<T> f, Claim c, String late) throws FsException {
        boolean interrupted = false;
        long deadline = System.nanoTime() + waitLimit.toNanos();
        try {
            while (true) {
                try {
                    return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw (FsException) e.getCause();
                } catch (TimeoutException e) {
                    throw new FsException(Errno.EIO, "blob " + blobId + " chunk " + c.id + ": " + late + " within "
                            + waitLimit.toSeconds() + " s");
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One chunk being fetched. Completed at most once; released exactly once. */
    final class Claim {
        final int id;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final CompletableFuture<Void> released = new CompletableFuture<>();

        private Claim(int id) {
            this.id = id;
        }

        /** Hands the chunk's data to everyone waiting (the claim stays held until released). */
        void succeed(byte[] data) {
            result.complete(data);
        }

        /** Fails the claim (if not yet completed) and releases it. */
        void fail(FsException e) {
            giveUp(e);
        }

        /** Gives the claim up. One not completed by then is failed, so no waiter is left behind. */
        void release() {
            giveUp(new FsException(Errno.EIO, "blob " + blobId + " chunk " + id + ": the fetch ended without a result"));
        }

        /**
         * Leaves the table first, then fails the result if it has none: a waiter woken by the
         * failure that claims the chunk again for its retry finds it free, never this failed claim.
         */
        private void giveUp(FsException e) {
            claims.remove(id, this);
            result.completeExceptionally(e);
            released.complete(null);
        }

        boolean isDone() {
            return result.isDone();
        }
    }

    /** The claims one fetch took. {@link #close()} fails and releases the ones still held. */
    final class ClaimSet implements AutoCloseable {
        private final Map<Integer, Claim> mine = new LinkedHashMap<>();

        /** Claims chunk {@code id}; null when someone else holds it (see {@link #holder}). */
        Claim tryClaim(int id) {
            Claim existing = mine.get(id);
            if (existing != null) {
                return existing;
            }
            Claim c = new Claim(id);
            if (claims.putIfAbsent(id, c) != null) {
                return null;
            }
            mine.put(id, c);
            return c;
        }

        /** The claim this set holds on chunk {@code id}, or null. */
        Claim get(int id) {
            return mine.get(id);
        }

        /** Fails every claim of this set that is still held with {@code e}. */
        void failPending(FsException e) {
            for (Claim c : new ArrayList<>(mine.values())) {
                if (!c.isDone()) {
                    c.fail(e);
                }
            }
        }

        @Override
        public void close() {
            List<Claim> all = new ArrayList<>(mine.values());
            for (Claim c : all) {
                c.release();
            }
        }
    }
}
