package dev.codellm.model.generate;

import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import java.util.Arrays;

/**
 * A {@link SequenceModel} on the engine's {@link LlamaModel}: one {@link Session} (KV cache)
 * kept across requests. A new prompt rewinds the session to the longest prefix it shares with
 * the tokens already in the cache, so only the rest is computed.
 */
public final class EngineSequenceModel implements SequenceModel {
    private final LlamaModel model;
    private final Session session;
    private int[] fed = new int[256];

    public EngineSequenceModel(LlamaModel model, int contextLength, KvType kvType) {
        this.model = model;
        this.session = model.newSession(contextLength, kvType);
    }

    @Override
    public int capacity() { return session.contextLength(); }

    /** Tokens reused from the cache by the last {@link #start} (for tests and verbose output). */
    int reusedByLastStart;

    @Override
    public float[] start(int[] prompt) {
        int common = 0;
        int cached = session.position();
        while (common < cached && common < prompt.length && fed[common] == prompt[common]) common++;
        // At least the last prompt token must be run again to get its logits.
        common = Math.min(common, prompt.length - 1);
        session.truncate(common);
        reusedByLastStart = common;
        return feed(Arrays.copyOfRange(prompt, common, prompt.length));
    }

    @Override
    public float[] append(int token) {
        return feed(new int[] {token});
    }

    private float[] feed(int[] tokens) {
        int at = session.position();
        float[] logits = model.forward(session, tokens);
        if (at + tokens.length > fed.length) fed = Arrays.copyOf(fed, Math.max(fed.length * 2, at + tokens.length));
        System.arraycopy(tokens, 0, fed, at, tokens.length);
        return logits;
    }
}
