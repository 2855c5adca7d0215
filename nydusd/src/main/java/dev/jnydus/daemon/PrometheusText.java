package dev.jnydus.daemon;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * Builds a document in the Prometheus text exposition format 0.0.4: each family's HELP and TYPE
 * lines followed by its samples (families are written in the order declared, samples grouped
 * under their family whatever order they are added in), label values escaped.
 */
final class PrometheusText {
    private record Family(String help, String type, List<String> samples) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    void family(String name, String type, String help) {
        families.putIfAbsent(name, new Family(help, type, new ArrayList<>()));
    }

    /** Adds a sample to the family its name belongs to ({@code _bucket}, {@code _sum}, {@code _count} too). */
    void sample(String name, double value, String... labels) {
        StringBuilder b = new StringBuilder(name);
        if (labels.length > 0) {
            b.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(number(value));
        familyOf(name).samples().add(b.toString());
    }

    private Family familyOf(String sample) {
        Family f = families.get(sample);
        if (f != null) {
            return f;
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sample.endsWith(suffix)) {
                f = families.get(sample.substring(0, sample.length() - suffix.length()));
                if (f != null) {
                    return f;
                }
            }
        }
        throw new IllegalArgumentException("no family declared for " + sample);
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        families.forEach((name, f) -> {
            b.append("# HELP ").append(name).append(' ').append(f.help()).append('\n');
            b.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
            f.samples().forEach(s -> b.append(s).append('\n'));
        });
        return b.toString();
    }
}
