package dev.codellm.model.generate;

import java.util.Arrays;

/**
 * A {@link SequenceRunner} on the engine: each {@link #start} takes the cache of a
 * {@link KvCachePool} that shares the longest prefix with the prompt (the previous request's,
 * when one runs at a time) and computes only the rest.
 */
public final class EngineSequenceRunner implements SequenceRunner {
    private final KvCachePool pool;
    private KvCachePool.CachedSequence current;

    public EngineSequenceRunner(KvCachePool pool) {
        this.pool = pool;
    }

    @Override
    public int capacity() { return pool.contextLength(); }

    /** Tokens reused from the cache by the last {@link #start} (for tests and verbose output). */
    int reusedByLastStart;

    @Override
    public float[] start(int[] prompt) {
        if (current != null) current.release();
        current = pool.acquire(prompt);
        reusedByLastStart = current.cachedTokens();
        return current.prefill(Arrays.copyOfRange(prompt, reusedByLastStart, prompt.length));
    }

    @Override
    public float[] append(int token) {
        return current.prefill(new int[] {token});
    }

    @Override
    public float[][] appendAll(int[] tokens) {
        return current.prefillAll(tokens);
    }

    @Override
    public void truncate(int position) {
        current.truncate(position);
    }

    @Override
    public void shift(int keep, int discard) {
        current.shift(keep, discard);
    }

    @Override
    public void close() {
        if (current != null) current.release();
        current = null;
    }
}
