package dev.codellm.eval.multipl;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Equality of two values in {@code js_io_values.js}'s encoding under Node's legacy
 * {@code assert.deepEqual}, which the MultiPL-E JavaScript tests use: primitives compare with
 * loose {@code ==} (so {@code 1} equals {@code "1"} and {@code true} equals {@code 1}; null
 * equals undefined) except that the number NaN equals the number NaN (not the string "NaN") and
 * 0 equals -0; an object never equals a
 * primitive; arrays compare element by element; plain objects by their own enumerable keys
 * (order ignored) and values; prototypes are ignored. Anything the encoder could not represent
 * ({@code "?"}) or a thrown call ({@code "x"}) equals nothing.
 */
final class JsValues {
    private JsValues() {}

    static boolean deepEqual(JsonNode a, JsonNode b) {
        String ta = tag(a), tb = tag(b);
        if (ta == null || tb == null || ta.equals("?") || tb.equals("?") || ta.equals("x") || tb.equals("x")) return false;
        boolean objA = ta.equals("a") || ta.equals("o"), objB = tb.equals("a") || tb.equals("o");
        if (objA || objB) {
            if (!ta.equals(tb)) return false;
            return ta.equals("a") ? arraysEqual(a.get(1), b.get(1)) : objectsEqual(a.get(1), b.get(1));
        }
        return looseEquals(a, b);
    }

    private static String tag(JsonNode v) {
        return v != null && v.isArray() && !v.isEmpty() && v.get(0).isTextual() ? v.get(0).asText() : null;
    }

    private static boolean arraysEqual(JsonNode a, JsonNode b) {
        if (a == null || b == null || !a.isArray() || !b.isArray() || a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!deepEqual(a.get(i), b.get(i))) return false;
        return true;
    }

    private static boolean objectsEqual(JsonNode a, JsonNode b) {
        Map<String, JsonNode> ma = entries(a), mb = entries(b);
        if (ma == null || mb == null || ma.size() != mb.size()) return false;
        for (var e : ma.entrySet()) {
            JsonNode other = mb.get(e.getKey());
            if (other == null || !deepEqual(e.getValue(), other)) return false;
        }
        return true;
    }

    private static Map<String, JsonNode> entries(JsonNode pairs) {
        if (pairs == null || !pairs.isArray()) return null;
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode p : pairs) {
            if (!p.isArray() || p.size() != 2 || !p.get(0).isTextual() || m.put(p.get(0).asText(), p.get(1)) != null) return null;
        }
        return m;
    }

    /** JS {@code x == y} on two primitives (ECMA-262 IsLooselyEqual), plus NaN == NaN. */
    private static boolean looseEquals(JsonNode a, JsonNode b) {
        String ta = tag(a), tb = tag(b);
        if (isNullish(ta) || isNullish(tb)) return isNullish(ta) && isNullish(tb);
        if (ta.equals("b")) return looseEquals(number(a.get(1).asBoolean() ? 1 : 0), b);
        if (tb.equals("b")) return looseEquals(a, number(b.get(1).asBoolean() ? 1 : 0));
        if (ta.equals("s") && tb.equals("s")) return a.get(1).asText().equals(b.get(1).asText());
        // Remaining: number, bigint, string in any mix; a string converts to the other side's kind.
        Num x = toNum(ta, a.get(1).asText(), tb), y = toNum(tb, b.get(1).asText(), ta);
        if (x == null || y == null) return false;
        // deepEqual's extra NaN rule is Number.isNaN on both sides: real NaNs only, not "NaN".
        if (x.nan || y.nan) return x.nan && y.nan && ta.equals("n") && tb.equals("n");
        return x.value.compareTo(y.value) == 0;
    }

    private static boolean isNullish(String tag) {
        return tag.equals("u") || tag.equals("z");
    }

    private static JsonNode number(int n) {
        return dev.codellm.core.io.Json.WIRE.createArrayNode().add("n").add(Integer.toString(n));
    }

    /** A number, bigint or NaN as an exact value (infinities as huge values of the right sign). */
    private record Num(boolean nan, BigDecimal value) {}

    private static final BigDecimal INF = BigDecimal.TEN.pow(400);

    private static Num toNum(String tag, String text, String otherTag) {
        return switch (tag) {
            case "n" -> ofDouble(text);
            case "i" -> new Num(false, new BigDecimal(new BigInteger(text)));
            case "s" -> otherTag.equals("i") ? stringToBigInt(text) : ofDouble(stringToNumberText(text));
            default -> null;
        };
    }

    private static Num ofDouble(String jsNumberText) {
        if (jsNumberText == null || jsNumberText.equals("NaN")) return new Num(true, null);
        double d = Double.parseDouble(jsNumberText);
        if (Double.isInfinite(d)) return new Num(false, d > 0 ? INF : INF.negate());
        return new Num(false, new BigDecimal(d));
    }

    /** JS whitespace and line terminators, which StringToNumber trims. */
    private static final String JS_SPACE = "[\\s\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]";
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:Infinity|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    private static final Pattern RADIX = Pattern.compile("0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)");

    /** ECMA-262 StringToNumber as a Java-parseable number text, or null for NaN. */
    static String stringToNumberText(String s) {
        String t = s.replaceAll("^" + JS_SPACE + "+|" + JS_SPACE + "+$", "");
        if (t.isEmpty()) return "0";
        if (DECIMAL.matcher(t).matches()) return t;
        if (RADIX.matcher(t).matches()) {
            int radix = switch (Character.toLowerCase(t.charAt(1))) { case 'x' -> 16; case 'o' -> 8; default -> 2; };
            return new BigDecimal(new BigInteger(t.substring(2), radix)).toString();
        }
        return null;
    }

    private static Num stringToBigInt(String s) {
        String t = s.strip();
        if (t.isEmpty()) return new Num(false, BigDecimal.ZERO);
        try {
            return new Num(false, new BigDecimal(new BigInteger(t)));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
