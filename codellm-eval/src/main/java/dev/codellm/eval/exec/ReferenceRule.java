package dev.codellm.eval.exec;

import dev.codellm.eval.sandbox.Limits;

/**
 * EvalPlus's rule for the limits of one task, {@code max(floor, factor × reference)}, where the
 * reference is what the task's canonical solution measured on this machine in the ground-truth
 * run (cached with the dataset's checksum): CPU seconds per input, and the run's peak resident
 * memory and address space. A correct solution thus gets room in proportion to what the task
 * needs, and the same room on every run (Mbpp/255's reference needs 1.15 GB resident, more than
 * a quarter of the fixed 4 GiB it had).
 *
 * @param minSeconds   per-input CPU floor (EvalPlus's {@code DEFAULT_MIN_TIME_LIMIT}, 1 s)
 * @param timeFactor   per-input CPU factor (EvalPlus's {@code DEFAULT_GT_TIME_LIMIT_FACTOR}, 4)
 * @param memoryFloor  memory floor: EvalPlus's fixed limit ({@code EVALPLUS_MAX_MEMORY_BYTES}, 4 GiB),
 *                     so no task gets less than under EvalPlus
 * @param memoryFactor memory factor over the reference's peak (the time factor, 4)
 * @param memoryCap    never more than the ground-truth run itself was allowed (the reference fit in it)
 */
public record ReferenceRule(double minSeconds, double timeFactor, long memoryFloor, double memoryFactor, long memoryCap) {
    public static final ReferenceRule EVALPLUS = new ReferenceRule(1.0, 4.0, 4 * Limits.GIB, 4.0, PythonEvaluator.GROUND_TRUTH_MEMORY);

    public ReferenceRule {
        if (!(minSeconds > 0) || !(timeFactor >= 1) || memoryFloor <= 0 || !(memoryFactor >= 1) || memoryCap < memoryFloor) {
            throw new IllegalArgumentException("bad limit rule: " + this);
        }
    }

    /** CPU seconds one input gets, from the canonical solution's CPU seconds on it. */
    public double seconds(double referenceSeconds) {
        return Math.max(minSeconds, timeFactor * referenceSeconds);
    }

    /** Bytes a run gets, from the reference's peak bytes (the floor when it was not measured, -1). */
    public long memory(long referenceBytes) {
        if (referenceBytes <= 0) return memoryFloor;
        return Math.min(memoryCap, Math.max(memoryFloor, (long) (memoryFactor * referenceBytes)));
    }
}
