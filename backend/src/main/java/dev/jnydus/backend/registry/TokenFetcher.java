package dev.jnydus.backend.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnydus.backend.http.Redact;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Gets a bearer token from the realm of a challenge (nydusd-interface 5.2 step 3): {@code GET}
 * with query parameters {@code service}, {@code scope}, {@code client_id} (the form of the
 * distribution token spec that every token server serves), and when that fails the OAuth2
 * {@code POST} form with the same fields; a realm that needed {@code POST} once gets {@code POST}
 * from then on. Basic credentials, when there are any, go along in {@code Authorization}. Always
 * direct, never through the proxy.
 *
 * <p>Upstream tries {@code POST} first and falls back to {@code GET}; the project asked for the
 * reverse order. Either way both forms are tried and the one that worked is remembered, so a
 * registry that serves only one of them costs one extra request per backend.
 */
final class TokenFetcher {
    static final String CLIENT_ID = "nydus-registry-client";
    /** Made on the first token response, not when a registry backend is built at start. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final int MAX_BODY = 1 << 20;

    private final Supplier<OkHttpClient> client;
    private final Set<String> postRealms = ConcurrentHashMap.newKeySet();

    /** @param client may still be being set up: the first token request waits for it */
    TokenFetcher(Supplier<OkHttpClient> client) {
        this.client = client;
    }

    /**
     * @param basicAuth base64 {@code user:password}, or null for an anonymous token
     */
    Token fetch(AuthChallenge challenge, String basicAuth) throws IOException {
        HttpUrl realm = HttpUrl.parse(challenge.realm());
        if (realm == null) {
            throw new IOException("token realm '" + Redact.url(challenge.realm()) + "' is not an http(s) URL");
        }
        String key = realm.host() + ":" + realm.port() + realm.encodedPath();
        if (!postRealms.contains(key)) {
            try {
                return get(realm, challenge, basicAuth);
            } catch (IOException e) {
                Token t = post(realm, challenge, basicAuth, e);
                postRealms.add(key);
                return t;
            }
        }
        return post(realm, challenge, basicAuth, null);
    }

    private Token post(HttpUrl realm, AuthChallenge c, String basicAuth, IOException getFailure) throws IOException {
        FormBody.Builder form = new FormBody.Builder();
        if (!c.service().isEmpty()) {
            form.add("service", c.service());
        }
        if (!c.scope().isEmpty()) {
            form.add("scope", c.scope());
        }
        form.add("client_id", CLIENT_ID);
        Request.Builder b = new Request.Builder().url(realm).post(form.build());
        try {
            return call(b, basicAuth, "POST");
        } catch (IOException e) {
            if (getFailure != null) {
                e.addSuppressed(getFailure);
            }
            throw e;
        }
    }

    private Token get(HttpUrl realm, AuthChallenge c, String basicAuth) throws IOException {
        HttpUrl.Builder u = realm.newBuilder();
        if (!c.service().isEmpty()) {
            u.addQueryParameter("service", c.service());
        }
        if (!c.scope().isEmpty()) {
            u.addQueryParameter("scope", c.scope());
        }
        u.addQueryParameter("client_id", CLIENT_ID);
        return call(new Request.Builder().url(u.build()).get(), basicAuth, "GET");
    }

    private Token call(Request.Builder b, String basicAuth, String method) throws IOException {
        if (basicAuth != null && !basicAuth.isEmpty()) {
            b.header("Authorization", "Basic " + basicAuth);
        }
        b.header("User-Agent", dev.jnydus.backend.http.HttpClients.USER_AGENT);
        Request req = b.build();
        String where = method + " " + Redact.url(req.url());
        try (Response r = client.get().newCall(req).execute()) {
            ResponseBody body = r.body();
            byte[] bytes = body == null ? new byte[0] : body.byteStream().readNBytes(MAX_BODY);
            if (r.code() < 200 || r.code() >= 300) {
                throw new IOException("token request " + where + " answered HTTP " + r.code());
            }
            return parse(bytes, where);
        }
    }

    /** Reads {@code token} or {@code access_token}, and {@code expires_in} (default 600 s). */
    static Token parse(byte[] body, String where) throws IOException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            // The message of a JSON error may quote the body, which holds the token: not kept.
            throw new IOException("token response of " + where + " is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IOException("token response of " + where + " is not a JSON object");
        }
        String token = text(n, "token");
        if (token.isEmpty()) {
            token = text(n, "access_token");
        }
        if (token.isEmpty()) {
            throw new IOException("token response of " + where + " has neither token nor access_token");
        }
        long expiresIn = Token.DEFAULT_EXPIRES_IN;
        JsonNode e = n.get("expires_in");
        if (e != null && e.canConvertToLong() && e.asLong() > 0) {
            expiresIn = e.asLong();
        }
        return new Token(token, expiresIn);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isTextual() ? "" : v.asText();
    }
}
