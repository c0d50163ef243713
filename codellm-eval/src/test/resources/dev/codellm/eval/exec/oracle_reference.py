"""Reference for EvalPlusOracleTest: Python's own == and EvalPlus's outputs_match (as the harness
ran it inside the sandbox before the verdict moved to the host), on pairs of values. Prints one
JSON line per case: the encoded values, the task, and what Python decided."""
import json, math, sys
sys.path.insert(0, sys.argv[1])
import codellm_harness as h

NOT_NONE_TASKS = {"check_str", "text_match_three", "text_starta_endb"}
SET_EQ_TASKS = {"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
                "larg_nnum", "intersection_array", "find_dissimilar", "Diff"}
def _poly(xs, x):
    return sum(c * math.pow(x, i) for i, c in enumerate(xs))


def _surface_area(base_edge, height):
    slant = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant) / 2)


def _digit_distance(a, b):
    sa, sb = str(a), str(b)
    w = max(len(sa), len(sb))
    return sum(abs(int(x) - int(y)) for x, y in zip(sa.zfill(w), sb.zfill(w)))


def is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    try:
        import numpy as np
        if isinstance(x, np.ndarray):
            return x.dtype in (np.float64, np.float32)
    except ImportError:
        pass
    return False


def outputs_match(dataset, entry, inp, out, exp, atol):
    """EvalPlus's comparison: exact, special oracles, then allclose with atol (1e-6 for floats)."""
    if dataset == "humaneval+" and entry == "find_zero":
        return abs(_poly(*inp, out)) <= atol
    exact = out == exp
    if dataset == "mbpp+":
        if entry == "are_equivalent":
            exact = True
        elif entry == "sum_div":
            exact = exact or out == 0
        elif entry == "surface_Area":
            exact = exact or abs(out - _surface_area(*inp)) <= atol
        elif entry == "digit_distance_nums":
            exact = exact or out == _digit_distance(*inp)
        elif entry in SET_EQ_TASKS:
            exact = set(out) == set(exp)
        elif entry in NOT_NONE_TASKS:
            exact = out == exp if isinstance(out, bool) else exp == (out is not None)
    if atol == 0 and is_floats(exp):
        atol = 1e-6
    if not exact and atol != 0:
        import numpy as np
        if type(out) != type(exp):
            return False
        if isinstance(exp, (list, tuple)) and len(out) != len(exp):
            return False
        return bool(np.allclose(out, exp, rtol=1e-07, atol=atol))
    return bool(exact)



nan, inf = float("nan"), float("inf")
PLAIN = [
    (1, 1.0), (True, 1), (True, 1.0), (0, False), (2 ** 53 + 1, float(2 ** 53)), (1, 1 + 0j), (0.5, 0.5 + 0j),
    (nan, nan), (inf, inf), (-inf, inf), (0.0, -0.0), ([1], (1,)), ([1, 2], [1, 2.0]), ((1, [2]), (1, [2])),
    ({1, 2}, frozenset({2, 1})), ({1: "a"}, {1.0: "a"}), ({True: 1}, {1: True}), ({"a": [1]}, {"a": [1, 2]}),
    ("a", b"a"), (b"\x00\xff", b"\x00\xff"), (None, None), (None, 0), ([], ()), ({}, set()), ("ab", ["a", "b"]),
    ([[1, 2], [3]], [[1, 2], [3]]), (10 ** 400, 10 ** 400), (10 ** 400, 10 ** 400 + 1), (-10 ** 350, -10 ** 350), (10 ** 300, 1e300), ({(1, 2): [3]}, {(1, 2): [3]}), ({(1, 2)}, {(1.0, 2)}), (10 ** 30, 10 ** 30 + 1),
]
# (dataset, entry, inp, out, exp, atol)
MATCH = [
    ("humaneval+", "x", [1], 0.1 + 0.2, 0.3, 0), ("humaneval+", "x", [1], 1.0, 1.0000001, 0), ("humaneval+", "x", [1], 1.0, 1.01, 0),
    ("humaneval+", "x", [1], [1.0, 2.0], [1.0, 2.0000001], 0), ("humaneval+", "x", [1], (1.0, 2.0), [1.0, 2.0], 0),
    ("humaneval+", "x", [1], [1.0], [1.0, 2.0], 0), ("humaneval+", "x", [1], 1, 1.0000001, 0), ("humaneval+", "x", [1], "1.0", 1.0, 0),
    ("humaneval+", "x", [1], 3.0, 3.0001, 1e-3), ("humaneval+", "x", [1], 3, 3.0001, 1e-3), ("humaneval+", "x", [1], [[1.0]], [[1.0000001]], 1e-6),
    ("humaneval+", "x", [1], inf, inf, 1e-6), ("humaneval+", "x", [1], nan, nan, 1e-6), ("humaneval+", "x", [1], True, 1.0, 1e-6),
    ("humaneval+", "find_zero", [[-6, 11, -6, 1]], 1.0000000001, 1.0, 1e-4), ("humaneval+", "find_zero", [[-6, 11, -6, 1]], 1.5, 1.0, 1e-4),
    ("humaneval+", "find_zero", [[-6, 11, -6, 1]], 2.0, 1.0, 1e-4),
    ("mbpp+", "are_equivalent", [1, 2], False, True, 0), ("mbpp+", "sum_div", [1], 0, 5, 0), ("mbpp+", "sum_div", [1], 1, 5, 0),
    ("mbpp+", "surface_Area", [3, 4], 33, 34, 0), ("mbpp+", "surface_Area", [3, 4], 30, 34, 0),
    ("mbpp+", "digit_distance_nums", [123, 256], 7, 6, 0), ("mbpp+", "digit_distance_nums", [123, 256], 6, 7, 0),
    ("mbpp+", "digit_distance_nums", [-12, 5], 3, 4, 0),
    ("mbpp+", "similar_elements", [1], [3, 4], (4, 3), 0), ("mbpp+", "similar_elements", [1], [3], (4, 3), 0),
    ("mbpp+", "find_char_long", [1], ["ab", "cd"], ["cd", "ab", "ab"], 0), ("mbpp+", "Diff", [1], [[1]], [[1]], 0),
    ("mbpp+", "Diff", [1], "ab", ["b", "a"], 0), ("mbpp+", "check_str", [1], True, True, 0), ("mbpp+", "check_str", [1], False, True, 0),
    ("mbpp+", "x", [1], 0.5, 0.5000001, 0), ("mbpp+", "x", [1], {"a": 1}, {"a": 1}, 1e-6), ("mbpp+", "x", [1], None, 0.5, 0),
]
for a, b in PLAIN:
    print(json.dumps({"a": h.encode(a), "b": h.encode(b), "eq": a == b}))
for ds, entry, inp, out, exp, atol in MATCH:
    try:
        m = outputs_match(ds, entry, inp, out, exp, atol)
    except Exception:  # noqa: BLE001 - the harness counted a raise as a failed input
        m = False
    print(json.dumps({"dataset": ds, "entry": entry, "inp": inp, "out": h.encode(out), "exp": h.encode(exp), "atol": atol, "match": m}))
