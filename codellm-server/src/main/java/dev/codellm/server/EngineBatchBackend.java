package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.EngineSetup;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.KvCachePool;
import dev.codellm.model.generate.LoadedModel;
import dev.codellm.model.generate.RequestPlanner;
import dev.codellm.model.generate.TextEmbedder;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * {@link BatchBackend} on the real engine: one loaded model whose weights all slots share,
 * requests planned by the model module's {@link RequestPlanner} (as {@code LocalGenerator} plans
 * them), and the model module's {@link KvCachePool}: a KV cache per running request, recycled
 * between requests with prefix reuse, and its batched decode step.
 */
public final class EngineBatchBackend implements BatchBackend {
    private final EngineSetup setup;
    private final Tokenizer tokenizer;
    private final KvCachePool caches;
    private Embeddings embeddings;

    private EngineBatchBackend(EngineSetup setup) {
        this.setup = setup;
        this.tokenizer = setup.loaded().tokenizer();
        this.caches = setup.newCachePool();
    }

    /**
     * Loads a GGUF model as {@code LocalGenerator.open} does (same context default, template, name,
     * infill support); {@code options.contextLength()} is the context of each slot.
     */
    public static EngineBatchBackend open(Path path, GeneratorOptions options) {
        LoadedModel loaded = LoadedModel.open(path, options);
        try {
            return new EngineBatchBackend(EngineSetup.of(loaded, options));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** One line about the loaded model for the server's start-up message. */
    public String summary() { return setup.summary() + " (context and KV cache are per slot)"; }

    /** The loaded file and engine (for /props, /api/show and embeddings). */
    public EngineSetup setup() { return setup; }

    /** Bytes of weights streamed per decode step (for the bandwidth bound in benchmarks). */
    public long weightBytesPerStep() { return setup.loaded().model().weightBytesPerToken(); }

    @Override public ModelInfo info() { return setup.info(); }

    @Override public RequestPlanner planner() { return setup.planner(); }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        return tokenizer.encode(text, addBos, parseSpecial);
    }

    @Override
    public String decode(int[] tokens) {
        for (int t : tokens) {
            if (t < 0 || t >= tokenizer.vocabSize()) throw new IllegalArgumentException("token id " + t + " is outside the vocabulary of " + tokenizer.vocabSize());
        }
        return tokenizer.decode(tokens);
    }

    @Override public String piece(int token) { return setup.planner().codec().piece(token); }

    @Override public int vocabSize() { return tokenizer.vocabSize(); }

    @Override
    public Sequence newSequence(int[] prompt) {
        return new Slot(caches.acquire(prompt));
    }

    @Override
    public float[] prefill(Sequence seq, int[] tokens) {
        return ((Slot) seq).cache.prefill(tokens);
    }

    @Override
    public float[][] decode(Sequence[] seqs, int[] tokens) {
        KvCachePool.CachedSequence[] cs = new KvCachePool.CachedSequence[seqs.length];
        for (int i = 0; i < seqs.length; i++) cs[i] = ((Slot) seqs[i]).cache;
        return caches.decode(cs, tokens);
    }

    @Override public boolean verifiesDrafts() { return true; }

    @Override
    public float[][][] decodeRuns(Sequence[] seqs, int[][] tokens) {
        KvCachePool.CachedSequence[] cs = new KvCachePool.CachedSequence[seqs.length];
        for (int i = 0; i < seqs.length; i++) cs[i] = ((Slot) seqs[i]).cache;
        return caches.decodeRuns(cs, tokens);
    }

    @Override
    public void truncate(Sequence seq, int position) {
        ((Slot) seq).cache.truncate(position);
    }

    @Override
    public float[][] step(Sequence[] seqs, int[][] tokens, boolean[] wantLogits) {
        KvCachePool.CachedSequence[] cs = new KvCachePool.CachedSequence[seqs.length];
        for (int i = 0; i < seqs.length; i++) cs[i] = ((Slot) seqs[i]).cache;
        return caches.step(cs, tokens, wantLogits);
    }

    @Override
    public void shift(Sequence seq, int keep, int discard) {
        ((Slot) seq).cache.shift(keep, discard);
    }

    /**
     * The model module's {@link TextEmbedder} on its own KV cache of the slot context; it runs on
     * the request's thread, between the scheduler's steps (the engine takes one call at a time).
     */
    @Override
    public synchronized Embeddings embeddings() {
        if (embeddings == null) {
            TextEmbedder e = setup.newEmbedder();
            embeddings = new Embeddings() {
                @Override public int[] tokens(String text) { return e.tokens(text); }
                @Override public float[] embed(int[] tokens) { return e.embed(tokens); }
                @Override public int dimension() { return e.dimension(); }
            };
        }
        return embeddings;
    }

    @Override
    public void close() {
        caches.clear();
        setup.loaded().close();
    }

    private record Slot(KvCachePool.CachedSequence cache) implements Sequence {
        @Override public int cachedTokens() { return cache.cachedTokens(); }
        @Override public void release() { cache.release(); }
    }
}
