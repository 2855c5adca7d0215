/**
 * Real servers for backend tests, started and stopped by the test on 127.0.0.1: the distribution
 * registry ({@link dev.jnydus.testkit.registry.RegistryServer}, Debian package {@code docker-registry}),
 * a bearer-token issuer for it ({@link dev.jnydus.testkit.registry.TokenIssuer}), and nginx as a
 * registry mirror or a forward proxy standing in for dfdaemon
 * ({@link dev.jnydus.testkit.registry.NginxMirror}), and a TCP proxy that can hang in front of
 * any of them ({@link dev.jnydus.testkit.registry.HangingProxy}). Each server owns a temporary
 * directory with its own configuration, picks a free port, and is killed on {@code close()} and,
 * failing that, when the JVM exits; {@link dev.jnydus.testkit.registry.AccessCounts} reads their
 * access-log counts once the logs have caught up. Test scope only; imports the JDK and JUnit.
 */
package dev.jnydus.testkit.registry;
