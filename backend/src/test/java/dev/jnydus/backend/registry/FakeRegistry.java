package dev.jnydus.backend.registry;

import dev.jnydus.backend.http.RangeDispatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A registry for MockWebServer that behaves like distribution where it matters to the backend:
 * blob GET/HEAD by digest with ranges, anonymous / basic / bearer auth with a token endpoint (POST
 * form and GET), tokens the test can revoke, optional redirects to a storage path, and injected
 * faults for the next blob requests.
 */
final class FakeRegistry extends Dispatcher {
    enum Auth { NONE, BASIC, BEARER }

    final String repo;
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    final Queue<MockResponse> faults = new ConcurrentLinkedQueue<>();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger tokenFetches = new AtomicInteger();
    final AtomicInteger tokenPosts = new AtomicInteger();
    final AtomicInteger tokenGets = new AtomicInteger();
    final AtomicInteger storageReads = new AtomicInteger();
    volatile Auth auth = Auth.NONE;
    volatile String user = "alice";
    volatile String password = "s3cr3t-pw";
    volatile boolean postTokenAllowed = true;
    volatile boolean getTokenAllowed = true;
    volatile boolean tokenNeedsCredentials = false;
    volatile long expiresIn = 300;
    volatile boolean redirect;
    volatile String lastTokenAuthorization;
    private MockWebServer server;

    FakeRegistry(String repo) {
        this.repo = repo;
    }

    FakeRegistry on(MockWebServer s) {
        this.server = s;
        s.setDispatcher(this);
        return this;
    }

    void revokeTokens() {
        validTokens.clear();
    }

    String basic() {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    String blobPath(String id) {
        return "/v2/" + repo + "/blobs/sha256:" + id;
    }

    long blobRequests() {
        synchronized (requests) {
            return requests.stream().filter(r -> r.getPath().startsWith("/v2/" + repo + "/blobs/")).count();
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest r) {
        requests.add(r);
        String path = r.getPath() == null ? "" : r.getPath();
        if (path.startsWith("/token")) {
            return token(r);
        }
        if (path.startsWith("/storage/")) {
            storageReads.incrementAndGet();
            String id = path.substring("/storage/".length()).replaceAll("\\?.*", "");
            byte[] blob = blobs.get(id);
            return blob == null ? new MockResponse().setResponseCode(404) : RangeDispatcher.serve(blob, r.getMethod(),
                    r.getHeader("Range"));
        }
        String prefix = "/v2/" + repo + "/blobs/sha256:";
        if (!path.startsWith(prefix)) {
            return new MockResponse().setResponseCode(404);
        }
        MockResponse denied = authorize(r);
        if (denied != null) {
            return denied;
        }
        MockResponse fault = faults.poll();
        if (fault != null) {
            return fault;
        }
        String id = path.substring(prefix.length());
        byte[] blob = blobs.get(id);
        if (blob == null) {
            return new MockResponse().setResponseCode(404)
                    .setBody("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}");
        }
        if (redirect) {
            return new MockResponse().setResponseCode(307).setHeader("Location",
                    "http://storage.invalid:" + server.getPort() + "/storage/" + id + "?X-Amz-Date=20240524T000000Z&X-Amz-Expires=3600"
                            + "&X-Amz-Signature=deadbeef");
        }
        return RangeDispatcher.serve(blob, r.getMethod(), r.getHeader("Range"));
    }

    private MockResponse authorize(RecordedRequest r) {
        String a = r.getHeader("Authorization");
        switch (auth) {
            case NONE:
                return null;
            case BASIC:
                if (("Basic " + basic()).equals(a)) {
                    return null;
                }
                return new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate",
                        "Basic realm=\"fake-registry\"");
            default:
                if (a != null && a.startsWith("Bearer ") && validTokens.contains(a.substring(7))) {
                    return null;
                }
                return new MockResponse().setResponseCode(401).setHeader("WWW-Authenticate",
                        "Bearer realm=\"" + server.url("/token") + "\",service=\"fake.registry\",scope=\"repository:"
                                + repo + ":pull\"");
        }
    }

    private MockResponse token(RecordedRequest r) {
        if (r.getMethod().equals("POST")) {
            tokenPosts.incrementAndGet();
            if (!postTokenAllowed) {
                return new MockResponse().setResponseCode(405);
            }
            String form = r.getBody().readUtf8();
            if (!form.contains("service=fake.registry") || !form.contains("client_id=nydus-registry-client")
                    || !form.contains("scope=repository%3A")) {
                return new MockResponse().setResponseCode(400).setBody("bad form " + form);
            }
        } else {
            tokenGets.incrementAndGet();
            if (!getTokenAllowed) {
                return new MockResponse().setResponseCode(405);
            }
            if (!"fake.registry".equals(r.getRequestUrl().queryParameter("service"))) {
                return new MockResponse().setResponseCode(400);
            }
        }
        lastTokenAuthorization = r.getHeader("Authorization");
        if (tokenNeedsCredentials && !("Basic " + basic()).equals(lastTokenAuthorization)) {
            return new MockResponse().setResponseCode(401);
        }
        String t = "tok-" + tokenFetches.incrementAndGet();
        validTokens.add(t);
        return new MockResponse().setHeader("Content-Type", "application/json")
                .setBody("{\"token\":\"" + t + "\",\"expires_in\":" + expiresIn + "}");
    }
}
