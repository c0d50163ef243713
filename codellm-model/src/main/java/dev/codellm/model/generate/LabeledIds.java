package dev.codellm.model.generate;

/** Token ids of a {@link LabeledPrompt} and, per id, whether it is learned (carries loss). */
public record LabeledIds(int[] ids, boolean[] learned) {
    public LabeledIds {
        if (ids.length != learned.length) throw new IllegalArgumentException("one mark per id");
    }

    public int size() { return ids.length; }
}
