package dev.jnydus.common;

/**
 * How a configured URL (a proxy, a mirror, an http-proxy backend address) may appear in a message
 * or a log line: its user info, which may hold a password or a token, is masked, the rest is kept
 * so that the user can tell which setting is meant. {@code http://user:secret@host:8080/p} becomes
 * {@code http://user:***@host:8080/p}; a user name alone may be a token and becomes {@code ***}.
 *
 * <p>Works on text, not on a parsed URL, because the URLs that end up in error messages are often
 * the ones that do not parse.
 */
public final class UrlRedaction {
    public static final String MASK = "***";

    private UrlRedaction() {
    }

    /**
     * {@code url} with the user info of its authority masked; unchanged when it has none. Text
     * holding several URLs (a value that failed to parse may run into the next) has each masked.
     */
    public static String redact(String url) {
        if (url == null || url.indexOf('@') < 0) {
            return url;
        }
        StringBuilder out = new StringBuilder(url.length());
        int done = 0;
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return maskAuthority(url, 0, out).toString();
        }
        while (scheme >= 0) {
            int start = scheme + 3;
            out.append(url, done, start);
            done = authorityEnd(url, start);
            maskAuthority(url.substring(start, done), 0, out);
            // The authority holds no '/', so the next "://" starts at done - 1 at the earliest.
            scheme = url.indexOf("://", start);
        }
        return out.append(url, done, url.length()).toString();
    }

    private static int authorityEnd(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return s.length();
    }

    /** Appends {@code s} (from {@code from}) with the user info of its leading authority masked. */
    private static StringBuilder maskAuthority(String s, int from, StringBuilder out) {
        int end = authorityEnd(s, from);
        int at = s.lastIndexOf('@', end - 1);
        if (at < from) {
            return out.append(s, from, s.length());
        }
        return out.append(userInfo(s.substring(from, at))).append(s, at, s.length());
    }

    /** The masked form of a user info part: {@code user:***}, or {@code ***} without a password. */
    public static String userInfo(String userInfo) {
        int colon = userInfo.indexOf(':');
        return colon < 0 ? MASK : userInfo.substring(0, colon) + ":" + MASK;
    }
}
