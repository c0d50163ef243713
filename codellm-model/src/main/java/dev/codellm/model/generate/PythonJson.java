package dev.codellm.model.generate;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=...)} output for template values (dicts
 * in insertion order, {@code ", "}/{@code ": "} separators, floats as Python's {@code repr}), so
 * a template's {@code tojson} renders as it does under transformers.
 */
final class PythonJson {
    private PythonJson() {}

    /** {@code indent} &lt; 0: one line. */
    static String dumps(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Double d -> sb.append(floatRepr(d));
            case Float f -> sb.append(floatRepr(f.doubleValue()));
            case Number n -> sb.append(n.longValue());
            case Map<?, ?> m -> container(sb, '{', '}', m.entrySet(), indent, depth, (e, s) -> {
                Map.Entry<?, ?> en = (Map.Entry<?, ?>) e;
                string(s, String.valueOf(en.getKey()));
                s.append(": ");
                write(s, en.getValue(), indent, depth + 1);
            });
            case Collection<?> c -> container(sb, '[', ']', c, indent, depth, (e, s) -> write(s, e, indent, depth + 1));
            case Object[] a -> container(sb, '[', ']', java.util.Arrays.asList(a), indent, depth, (e, s) -> write(s, e, indent, depth + 1));
            default -> string(sb, v.toString());
        }
    }

    private interface Item { void write(Object item, StringBuilder sb); }

    private static void container(StringBuilder sb, char open, char close, Collection<?> items, int indent, int depth, Item item) {
        sb.append(open);
        if (items.isEmpty()) { sb.append(close); return; }
        boolean first = true;
        for (Object e : items) {
            if (!first) sb.append(indent < 0 ? ", " : ",");
            if (indent >= 0) sb.append('\n').append(" ".repeat(indent * (depth + 1)));
            item.write(e, sb);
            first = false;
        }
        if (indent >= 0) sb.append('\n').append(" ".repeat(indent * depth));
        sb.append(close);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = b.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - b.scale(); // decimal exponent of the first digit
        String sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 16) {
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        String plain = b.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }
}
