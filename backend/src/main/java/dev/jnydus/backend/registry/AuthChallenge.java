package dev.jnydus.backend.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth.example.com/token",service="example.com",scope="repository:a/b:pull"}.
 *
 * <p>Parsed per RFC 7235: values may be quoted strings with backslash escapes, so a scope like
 * {@code repository:a/b:pull,push} or a realm with {@code =} in its query survives. (Upstream
 * splits on {@code ","} and {@code =} and so truncates such values.)
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        params = Map.copyOf(params);
    }

    public boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    /** A bearer challenge we can act on: it names the token endpoint. */
    public boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer") && params.containsKey("realm") && !realm().isEmpty();
    }

    public String realm() {
        return params.getOrDefault("realm", "");
    }

    public String service() {
        return params.getOrDefault("service", "");
    }

    public String scope() {
        return params.getOrDefault("scope", "");
    }

    /** The first challenge of a header value, or null when it has none we understand. */
    public static AuthChallenge parse(String header) {
        if (header == null) {
            return null;
        }
        String s = header.trim();
        int sp = 0;
        while (sp < s.length() && isToken(s.charAt(sp))) {
            sp++;
        }
        if (sp == 0) {
            return null;
        }
        String scheme = s.substring(0, sp);
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp;
        while (i < s.length()) {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
                i++;
            }
            int ks = i;
            while (i < s.length() && isToken(s.charAt(i))) {
                i++;
            }
            if (i == ks) {
                break;
            }
            String key = s.substring(ks, i).toLowerCase(Locale.ROOT);
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= s.length() || s.charAt(i) != '=') {
                // "<key>" followed by something else starts the next challenge: stop at the first.
                break;
            }
            i++;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        c = s.charAt(i++);
                    }
                    v.append(c);
                }
                i++;
            } else {
                while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                    v.append(s.charAt(i++));
                }
            }
            params.putIfAbsent(key, v.toString());
        }
        return new AuthChallenge(scheme, params);
    }

    private static boolean isToken(char c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }
}
