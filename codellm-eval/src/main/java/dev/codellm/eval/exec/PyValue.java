package dev.codellm.eval.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Python value as the harness encodes it (None, bool, int, float, complex, str, bytes, list,
 * tuple, set, dict; nothing else exists), decoded on the host so that the verdict is taken here
 * and not by code the sample could patch. {@link #equals} is Python's {@code ==}: {@code 1 == 1.0
 * == True}, {@code [1] != (1,)}, {@code {1, 2} == frozenset({2, 1})}, {@code nan != nan}, dict
 * keys compared by value; an int and a float compare exactly (as CPython does, no rounding).
 *
 * <p>Encoding (JSON): null, true/false, integers, strings as themselves; {@code {"float": x}}
 * (x a number or "nan"/"inf"/"-inf"), {@code {"complex": [re, im]}}, {@code {"bytes": hex}},
 * {@code {"list": [...]}}, {@code {"tuple": [...]}}, {@code {"set": [...]}},
 * {@code {"dict": [[k, v], ...]}}, {@code {"int": "hex digits"}} for an int of 301 decimal digits or more;
 * a huge value is {@code {"sha256": hex}} of its normalized form.
 */
public sealed interface PyValue {
    enum Kind { NONE, INT, FLOAT, COMPLEX, STR, BYTES, LIST, TUPLE, SET, DICT, DIGEST }

    Kind kind();

    record None() implements PyValue { public Kind kind() { return Kind.NONE; } }

    /** bool is an int in Python; {@code bool} only decides how it prints. */
    record Int(BigInteger value, boolean bool) implements PyValue {
        public Kind kind() { return Kind.INT; }
        @Override public boolean equals(Object o) { return o instanceof PyValue v && numericEquals(this, v); }
        @Override public int hashCode() { return value.hashCode(); }
    }

    record Float(double value) implements PyValue {
        public Kind kind() { return Kind.FLOAT; }
        @Override public boolean equals(Object o) { return o instanceof PyValue v && numericEquals(this, v); }
        @Override public int hashCode() { return numericHash(value, 0); }
    }

    record Complex(double re, double im) implements PyValue {
        public Kind kind() { return Kind.COMPLEX; }
        @Override public boolean equals(Object o) { return o instanceof PyValue v && numericEquals(this, v); }
        @Override public int hashCode() { return numericHash(re, im); }
    }

    record Str(String value) implements PyValue { public Kind kind() { return Kind.STR; } }

    record Bytes(String hex) implements PyValue { public Kind kind() { return Kind.BYTES; } }

    /** list or tuple (never equal to each other). */
    record Seq(Kind kind, List<PyValue> items) implements PyValue {}

    record PySet(Set<PyValue> items) implements PyValue { public Kind kind() { return Kind.SET; } }

    record Dict(Map<PyValue, PyValue> items) implements PyValue { public Kind kind() { return Kind.DICT; } }

    record Digest(String sha256) implements PyValue { public Kind kind() { return Kind.DIGEST; } }

    /** Not a value of the encoding: the input fails. */
    final class BadEncoding extends RuntimeException {
        BadEncoding(String why) { super(why); }
    }

    static PyValue decode(JsonNode n) {
        return decode(n, 0);
    }

    private static PyValue decode(JsonNode n, int depth) {
        if (depth > 200) throw new BadEncoding("nested too deeply");
        if (n == null || n.isNull()) return new None();
        if (n.isBoolean()) return new Int(n.asBoolean() ? BigInteger.ONE : BigInteger.ZERO, true);
        if (n.isIntegralNumber()) return new Int(n.bigIntegerValue(), false);
        if (n.isTextual()) return new Str(n.asText());
        if (!n.isObject() || n.size() != 1) throw new BadEncoding("not an encoded value: " + abbreviate(n));
        String tag = n.fieldNames().next();
        JsonNode v = n.get(tag);
        switch (tag) {
            case "float": return new Float(number(v));
            case "int": {
                if (!v.isTextual() || !v.asText().matches("-?[0-9a-f]{1,10000000}")) throw new BadEncoding("int needs hex digits");
                return new Int(new BigInteger(v.asText(), 16), false);
            }
            case "complex": {
                if (!v.isArray() || v.size() != 2) throw new BadEncoding("complex needs [re, im]");
                return new Complex(realOf(decode(v.get(0), depth + 1)), realOf(decode(v.get(1), depth + 1)));
            }
            case "bytes": {
                if (!v.isTextual() || !v.asText().matches("([0-9a-f]{2})*")) throw new BadEncoding("bytes must be hex");
                return new Bytes(v.asText());
            }
            case "list", "tuple": {
                if (!v.isArray()) throw new BadEncoding(tag + " needs an array");
                List<PyValue> items = new ArrayList<>(v.size());
                for (JsonNode i : v) items.add(decode(i, depth + 1));
                return new Seq(tag.equals("list") ? Kind.LIST : Kind.TUPLE, List.copyOf(items));
            }
            case "set": {
                if (!v.isArray()) throw new BadEncoding("set needs an array");
                Set<PyValue> items = new HashSet<>();
                for (JsonNode i : v) items.add(hashable(decode(i, depth + 1)));
                return new PySet(Set.copyOf(items));
            }
            case "dict": {
                if (!v.isArray()) throw new BadEncoding("dict needs an array of pairs");
                Map<PyValue, PyValue> items = new HashMap<>();
                for (JsonNode kv : v) {
                    if (!kv.isArray() || kv.size() != 2) throw new BadEncoding("dict needs [key, value] pairs");
                    items.put(hashable(decode(kv.get(0), depth + 1)), decode(kv.get(1), depth + 1));
                }
                return new Dict(Map.copyOf(items));
            }
            case "sha256": {
                if (!v.isTextual() || !v.asText().matches("[0-9a-f]{64}")) throw new BadEncoding("sha256 must be 64 hex digits");
                return new Digest(v.asText());
            }
            default: throw new BadEncoding("unknown tag " + tag);
        }
    }

    private static PyValue hashable(PyValue v) {
        switch (v.kind()) {
            case LIST, SET, DICT -> throw new BadEncoding("unhashable " + v.kind().name().toLowerCase() + " as a set element or key");
            case TUPLE -> ((Seq) v).items().forEach(PyValue::hashable);
            default -> { }
        }
        return v;
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual()) {
            switch (v.asText()) {
                case "nan": return Double.NaN;
                case "inf": return Double.POSITIVE_INFINITY;
                case "-inf": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw new BadEncoding("float must be a number, nan, inf or -inf");
    }

    private static double realOf(PyValue v) {
        if (v instanceof Float f) return f.value();
        if (v instanceof Int i) return i.value().doubleValue();
        throw new BadEncoding("complex parts must be numbers");
    }

    /** Python's == between two numbers (int/bool, float, complex); false for anything else. */
    private static boolean numericEquals(PyValue a, PyValue b) {
        if (a instanceof Complex || b instanceof Complex) {
            double[] x = complexParts(a), y = complexParts(b);
            if (x == null || y == null) return false;
            if (a instanceof Int ai && y[1] == 0) return realEquals(ai, y[0]);
            if (b instanceof Int bi && x[1] == 0) return realEquals(bi, x[0]);
            return x[0] == y[0] && x[1] == y[1];
        }
        if (a instanceof Int ai && b instanceof Int bi) return ai.value().equals(bi.value());
        if (a instanceof Int ai && b instanceof Float bf) return realEquals(ai, bf.value());
        if (a instanceof Float af && b instanceof Int bi) return realEquals(bi, af.value());
        if (a instanceof Float af && b instanceof Float bf) return af.value() == bf.value();
        return false;
    }

    private static boolean realEquals(Int i, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return false;
        return new BigDecimal(d).compareTo(new BigDecimal(i.value())) == 0;
    }

    private static double[] complexParts(PyValue v) {
        if (v instanceof Complex c) return new double[] {c.re(), c.im()};
        if (v instanceof Float f) return new double[] {f.value(), 0};
        if (v instanceof Int i) return new double[] {i.value().doubleValue(), 0};
        return null;
    }

    /** Equal numbers hash alike (1, 1.0, True, 1+0j), as Python requires of dict keys. */
    private static int numericHash(double re, double im) {
        if (im == 0 && !Double.isNaN(re) && !Double.isInfinite(re) && re == Math.rint(re)) {
            return new BigDecimal(re).toBigInteger().hashCode();
        }
        return Objects.hash(re == 0 ? 0.0 : re, im == 0 ? 0.0 : im);
    }

    /** Whether this is a Python float, or a non-empty list/tuple of floats (EvalPlus's is_floats). */
    static boolean isFloats(PyValue v) {
        if (v instanceof Float) return true;
        if (v instanceof Seq s && !s.items().isEmpty()) return s.items().stream().allMatch(i -> i instanceof Float);
        return false;
    }

    static double asDouble(PyValue v) {
        if (v instanceof Float f) return f.value();
        if (v instanceof Int i) return i.value().doubleValue();
        throw new ClassCastException(v.kind() + " is not a real number");
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
