package dev.jnydus.daemon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;

/**
 * Build identity, shown by {@code --version} and (by the API) in {@code GET /api/v1/daemon}.
 * Both must report the same {@link #gitCommit()}: nydus-snapshotter compares the commit parsed
 * from {@code nydusd --version} with the running daemon's and hot-upgrades on a mismatch.
 *
 * @param version package version ({@code package_ver})
 * @param gitCommit commit hash, "unknown" when the build was not told
 * @param buildTime UTC build time, ISO 8601
 * @param profile build profile ("release")
 * @param runtime where upstream reports the rustc version, we report the Java runtime
 */
public record BuildInfo(String version, String gitCommit, String buildTime, String profile, String runtime) {
    private static final String RESOURCE = "build-info.properties";

    public BuildInfo {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(gitCommit, "gitCommit");
        Objects.requireNonNull(buildTime, "buildTime");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(runtime, "runtime");
    }

    /** The identity Maven wrote into {@code build-info.properties}, plus the running JVM. */
    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String runtime = "java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + ")";
        String commit = filtered(p, "git.commit");
        if (commit.equals("unknown")) {
            commit = gitCommitFile();
        }
        return new BuildInfo(
                filtered(p, "version"),
                commit,
                filtered(p, "build.time"),
                filtered(p, "profile"),
                runtime);
    }

    /** The commit the build wrote ({@code scripts/git-commit}), "unknown" when it did not. */
    private static String gitCommitFile() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("git-commit")) {
            if (in == null) {
                return "unknown";
            }
            String s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return s.matches("[0-9a-f]{7,64}") ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A value Maven did not substitute (running from an unfiltered tree) reads as "unknown". */
    private static String filtered(Properties p, String key) {
        String v = p.getProperty(key, "unknown").trim();
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }

    /**
     * What {@code nydusd --version} prints: clap's {@code "nydusd " + version + "\n"} where the
     * version string is upstream's build-info block, which starts with a carriage return and ends
     * with a newline. The labels are kept (including "Rustc") so existing parsers work.
     */
    public String versionText() {
        return "nydusd \rVersion: \t" + version + "\nGit Commit: \t" + gitCommit + "\nBuild Time: \t"
                + buildTime + "\nProfile: \t" + profile + "\nRustc: \t\t" + runtime + "\n\n";
    }

    /** The INFO line logged at startup, as upstream's dump_program_info. */
    public String programInfo() {
        return "Program Version: " + version + ", Git Commit: \"" + gitCommit + "\", Build Time: \""
                + buildTime + "\", Profile: \"" + profile + "\", Rustc Version: \"" + runtime + "\"";
    }
}
