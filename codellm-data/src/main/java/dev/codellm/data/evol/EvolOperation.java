package dev.codellm.data.evol;

import java.util.SplittableRandom;

/**
 * The five in-depth evolution operations WizardCoder (Luo et al. 2023, "WizardCoder: Empowering
 * Code Large Language Models with Evol-Instruct", §3.1) adapted for code from WizardLM's
 * Evol-Instruct (Xu et al. 2023), and which MagicoderS's Evol-Instruct data was made with. The
 * method is theirs; the wording of each instruction below is ours.
 */
public enum EvolOperation {
    ADD_CONSTRAINTS("add-constraints",
            "Add one or two new constraints or requirements to the task, about ten more words in all."),
    RARER_REQUIREMENT("rarer-requirement",
            "Replace a requirement that tasks like this commonly have with a less common, more specific one."),
    MORE_REASONING("more-reasoning",
            "If the task can be solved in only a few logical steps, change it so that solving it takes more steps of reasoning."),
    ERRONEOUS_CODE("erroneous-code",
            "Include a short piece of code that looks like an answer but contains a mistake, present it as a reference, "
                    + "and ask for a correct solution: the flawed code should make the task harder to get right."),
    HIGHER_COMPLEXITY("higher-complexity",
            "Demand a better time or space complexity than the obvious solution has (and only where that makes sense for the task).");

    private final String id;
    private final String instruction;

    EvolOperation(String id, String instruction) {
        this.id = id;
        this.instruction = instruction;
    }

    /** Its name in the files ({@code add-constraints}, ...). */
    public String id() { return id; }

    /** What the teacher is asked to do to the task. */
    public String instruction() { return instruction; }

    /**
     * The operation for one record in one round, chosen uniformly at random (as WizardCoder does)
     * from {@code seed}, the record's id and the round, so a rerun or resume picks the same one.
     */
    public static EvolOperation pick(long seed, String recordId, int round) {
        long h = seed * 0x9E3779B97F4A7C15L + recordId.hashCode() * 31L + round;
        return values()[new SplittableRandom(h).nextInt(values().length)];
    }

    public static EvolOperation fromId(String id) {
        for (EvolOperation o : values()) if (o.id.equals(id)) return o;
        throw new IllegalArgumentException("unknown evolution operation '" + id + "'");
    }
}
