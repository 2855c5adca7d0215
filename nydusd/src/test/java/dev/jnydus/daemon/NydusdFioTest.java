package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.testkit.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency: fio, 8 jobs of random 4 KiB reads with verification, for 30 s over a 1 GiB file
 * served by nydusd through the blob cache. The file is written by fio itself with crc32c verify
 * headers (each block names its own offset), so a block served from the wrong place or with a
 * wrong byte fails the run. Reads are O_DIRECT so that every one of them reaches the daemon.
 */
@Tag("privileged")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NydusdFioTest {
    private static final String SIZE = "1G";

    @TempDir
    Path tmp;

    private NydusdProcess daemon;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void eightJobsOfVerifiedRandomReadsFor30Seconds() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool("fio");
        Path blobs = Files.createDirectory(tmp.resolve("blobs"));
        Path data = blobs.resolve("device1");
        Privileged.run("fio", "--name=prepare", "--filename=" + data, "--size=" + SIZE, "--rw=write", "--bs=4k",
                "--verify=crc32c", "--do_verify=0", "--ioengine=psync", "--output=/dev/null");
        Path img = tmp.resolve("fio.img");
        SingleFileErofs.write(img, "fio.dat", data, 1 << 20, 1668232305L, null);
        Path cfg = tmp.resolve("fio.json");
        Files.writeString(cfg, "{\"version\":2,\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + tmp.resolve("cache")
                + "\"}},\"rafs\":{\"mode\":\"direct\"}}");
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        daemon = NydusdProcess.start(tmp.resolve("nydusd.log"), mp, "--mountpoint", mp.toString(), "--config",
                cfg.toString(), "--bootstrap", img.toString(), "--fuse-threads", "8");
        daemon.awaitMounted(Duration.ofSeconds(60));

        String out = Privileged.run("fio", "--name=verify", "--filename=" + mp.resolve("fio.dat"), "--size=" + SIZE,
                "--rw=randread", "--bs=4k", "--verify=crc32c", "--ioengine=psync", "--direct=1", "--numjobs=8",
                "--time_based", "--runtime=30", "--group_reporting", "--output-format=json");
        JsonNode job = new ObjectMapper().readTree(out.substring(out.indexOf('{'))).get("jobs").get(0);
        assertThat(job.get("error").asInt()).as("fio error (a verify failure is EILSEQ)\n%s", out).isZero();
        long ios = job.get("read").get("total_ios").asLong();
        assertThat(ios).as("random 4 KiB reads done").isGreaterThan(10_000);
        assertThat(daemon.log()).doesNotContain("ERROR");

        daemon.signal("TERM");
        assertThat(daemon.awaitExit(Duration.ofSeconds(30))).isZero();
    }
}
