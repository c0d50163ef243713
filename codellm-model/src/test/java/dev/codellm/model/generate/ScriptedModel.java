package dev.codellm.model.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * A fake model that, whatever the prompt, makes {@code script[i]} the most likely i-th generated
 * token (logit 10, all others 0); after the script it predicts {@code after}. Records what it was fed.
 */
final class ScriptedModel implements SequenceRunner {
    private final int[] script;
    private final int after;
    private final int vocab;
    private final int capacity;
    final List<int[]> starts = new ArrayList<>();
    int generatedFed;
    int position;

    ScriptedModel(int[] script, int after, int vocab, int capacity) {
        this.script = script;
        this.after = after;
        this.vocab = vocab;
        this.capacity = capacity;
    }

    @Override public int capacity() { return capacity; }

    @Override
    public float[] start(int[] prompt) {
        if (prompt.length > capacity) throw new IllegalStateException("overflow");
        starts.add(prompt.clone());
        generatedFed = 0;
        position = prompt.length;
        return logits();
    }

    @Override
    public float[] append(int token) {
        if (position >= capacity) throw new IllegalStateException("fed past the context");
        position++;
        generatedFed++;
        return logits();
    }

    private float[] logits() {
        float[] l = new float[vocab];
        l[generatedFed < script.length ? script[generatedFed] : after] = 10f;
        return l;
    }
}
