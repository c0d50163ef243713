package dev.codellm.eval.exec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.eval.exec.PyValue.Float;
import dev.codellm.eval.exec.PyValue.Int;
import dev.codellm.eval.exec.PyValue.Seq;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * EvalPlus's comparison of a sample's output with the expected one, on the host: exact Python
 * equality, the special oracles per task, then {@code numpy.allclose(out, exp, rtol=1e-7,
 * atol)} with atol 1e-6 when the dataset gives 0 and the expected value is a float (EvalPlus's
 * {@code is_floats}). It lived in the harness inside the sandbox, where a sample could replace it
 * ({@code outputs_match = lambda *a: True}); here nothing the sample runs can reach it.
 * Where Python would raise (a set of lists, a string minus a number) the output is wrong.
 */
public final class EvalPlusOracle {
    /** MBPP+ tasks whose outputs are compared as sets (EvalPlus's MBPP_OUTPUT_SET_EQ_TASKS). */
    static final Set<String> SET_EQ_TASKS = Set.of("similar_elements", "find_char_long", "common_in_nested_lists",
            "extract_singly", "larg_nnum", "intersection_array", "find_dissimilar", "Diff");
    /** MBPP+ tasks compared only as "is not None" (regex match objects); the harness sends a bool. */
    static final Set<String> NOT_NONE_TASKS = Set.of("check_str", "text_match_three", "text_starta_endb");

    private EvalPlusOracle() {}

    /**
     * @param dataset "humaneval+" or "mbpp+"
     * @param inp     the input's arguments as in the dataset (only the special oracles read them)
     */
    public static boolean matches(String dataset, String entry, JsonNode inp, PyValue out, PyValue exp, double atol) {
        try {
            return compare(dataset, entry, inp, out, exp, atol);
        } catch (RuntimeException e) {
            return false; // Python raised: EvalPlus counts the input as failed
        }
    }

    private static boolean compare(String dataset, String entry, JsonNode inp, PyValue out, PyValue exp, double atol) {
        if (dataset.equals("humaneval+") && entry.equals("find_zero")) {
            return Math.abs(poly(inp.get(0), PyValue.asDouble(out))) <= atol;
        }
        boolean exact = out.equals(exp);
        if (dataset.equals("mbpp+")) {
            switch (entry) {
                case "are_equivalent" -> exact = true;
                case "sum_div" -> exact = exact || out.equals(new Int(BigInteger.ZERO, false));
                case "surface_Area" -> exact = exact || Math.abs(PyValue.asDouble(out) - surfaceArea(inp.get(0).asDouble(), inp.get(1).asDouble())) <= atol;
                case "digit_distance_nums" -> exact = exact || out.equals(new Int(BigInteger.valueOf(digitDistance(inp.get(0), inp.get(1))), false));
                default -> {
                    if (SET_EQ_TASKS.contains(entry)) exact = asSet(out).equals(asSet(exp));
                    else if (NOT_NONE_TASKS.contains(entry)) {
                        exact = out instanceof Int i && i.bool() ? out.equals(exp) : exp.equals(boolValue(!(out instanceof PyValue.None)));
                    }
                }
            }
        }
        if (atol == 0 && PyValue.isFloats(exp)) atol = 1e-6;
        if (!exact && atol != 0) {
            if (!sameType(out, exp)) return false;
            if (exp instanceof Seq e && ((Seq) out).items().size() != e.items().size()) return false;
            return allClose(out, exp, atol);
        }
        return exact;
    }

    /** Python's {@code type(a) == type(b)}: bool and int differ, list and tuple differ. */
    private static boolean sameType(PyValue a, PyValue b) {
        if (a.kind() != b.kind()) return false;
        return !(a instanceof Int ia) || ia.bool() == ((Int) b).bool();
    }

    /** numpy.allclose(a, b, rtol=1e-7, atol): elementwise, a scalar broadcast against a sequence. */
    private static boolean allClose(PyValue a, PyValue b, double atol) {
        if (a instanceof Seq sa && b instanceof Seq sb) {
            if (sa.items().size() != sb.items().size()) throw new IllegalArgumentException("shapes differ");
            for (int i = 0; i < sa.items().size(); i++) if (!allClose(sa.items().get(i), sb.items().get(i), atol)) return false;
            return true;
        }
        if (a instanceof Seq sa) return sa.items().stream().allMatch(x -> allClose(x, b, atol));
        if (b instanceof Seq sb) return sb.items().stream().allMatch(y -> allClose(a, y, atol));
        double x = PyValue.asDouble(a), y = PyValue.asDouble(b);   // str, None, dict...: numpy raises
        if (Double.isInfinite(x) || Double.isInfinite(y)) return x == y;
        return Math.abs(x - y) <= atol + 1e-7 * Math.abs(y);
    }

    private static Set<PyValue> asSet(PyValue v) {
        Set<PyValue> s = new HashSet<>();
        switch (v) {
            case Seq q -> q.items().forEach(i -> {
                if (i.kind() == PyValue.Kind.LIST || i.kind() == PyValue.Kind.SET || i.kind() == PyValue.Kind.DICT) {
                    throw new IllegalArgumentException("unhashable");
                }
                s.add(i);
            });
            case PyValue.PySet p -> s.addAll(p.items());
            case PyValue.Dict d -> s.addAll(d.items().keySet());
            case PyValue.Str t -> t.value().codePoints().forEach(c -> s.add(new PyValue.Str(Character.toString(c))));
            default -> throw new IllegalArgumentException(v.kind() + " is not iterable");
        }
        return s;
    }

    private static PyValue boolValue(boolean b) {
        return new Int(b ? BigInteger.ONE : BigInteger.ZERO, true);
    }

    /** HumanEval/32's poly: sum(c * math.pow(x, i)). */
    private static double poly(JsonNode xs, double x) {
        double s = 0;
        int i = 0;
        for (JsonNode c : xs) s += c.asDouble() * Math.pow(x, i++);
        return s;
    }

    /** Mbpp/581's reference, as EvalPlus restates it (round half to even, like Python's round). */
    private static double surfaceArea(double baseEdge, double height) {
        double slant = Math.sqrt(Math.pow(baseEdge / 2, 2) + Math.pow(height, 2));
        return Math.rint(Math.pow(baseEdge, 2) + 4 * (baseEdge * slant) / 2);
    }

    /** Mbpp/558's reference: digits compared after zero-padding to the same width. */
    private static long digitDistance(JsonNode a, JsonNode b) {
        String sa = a.bigIntegerValue().toString(), sb = b.bigIntegerValue().toString();
        if (!a.isIntegralNumber() || !b.isIntegralNumber() || sa.startsWith("-") || sb.startsWith("-")) {
            throw new IllegalArgumentException("int('-') fails in the reference");
        }
        int w = Math.max(sa.length(), sb.length());
        sa = "0".repeat(w - sa.length()) + sa;
        sb = "0".repeat(w - sb.length()) + sb;
        long d = 0;
        for (int i = 0; i < w; i++) d += Math.abs(sa.charAt(i) - sb.charAt(i));
        return d;
    }
}
