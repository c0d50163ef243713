package dev.codellm.data.curate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.io.Json;
import dev.codellm.data.ossinstruct.MinHashDedup;
import dev.codellm.decontam.Decision;
import dev.codellm.decontam.Normalizer;
import dev.codellm.decontam.RecordDecontaminator;

/**
 * The last filters every instruction-data job applies to its (problem, solution) pairs, in
 * order: exact duplicates (the pair normalised to lower-case letters and digits), MinHash
 * near-duplicates ({@link MinHashDedup}), and contamination with a benchmark (the decontamination
 * core, on the problem and solution). The first pair of a group is kept (call order). Not
 * thread-safe: one per job.
 */
public final class PairFilter {
    public static final String EXACT = "exact duplicate", NEAR = "near duplicate (MinHash)", CONTAMINATED = "contaminated";

    /** Why a pair was dropped, and for contamination which benchmark items it matched. */
    public record Rejection(String reason, String detail) {}

    private final java.util.Set<String> exact = new java.util.HashSet<>();
    private final MinHashDedup near;
    private final RecordDecontaminator.Worker decon;

    /** @param decontaminator null to skip decontamination */
    public PairFilter(double nearDupThreshold, RecordDecontaminator decontaminator) {
        this.near = new MinHashDedup(nearDupThreshold);
        this.decon = decontaminator == null ? null : decontaminator.newWorker();
    }

    /** Null when the pair is kept (and remembered), else why it is dropped. */
    public Rejection check(String problem, String solution) {
        String key = Normalizer.lettersAndDigits(problem + "\u0000" + solution).toLowerCase();
        if (!exact.add(key)) return new Rejection(EXACT, null);
        if (!near.addIfNew(problem + "\n" + solution)) return new Rejection(NEAR, null);
        if (decon != null) {
            ObjectNode probe = Json.MAPPER.createObjectNode().put("problem", problem).put("solution", solution);
            Decision d = decon.decide(Json.line(probe));
            if (d.kind() == Decision.Kind.REMOVED) return new Rejection(CONTAMINATED, String.join(",", d.matched()));
        }
        return null;
    }
}
