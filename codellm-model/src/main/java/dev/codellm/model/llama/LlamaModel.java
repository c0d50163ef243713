package dev.codellm.model.llama;

import dev.codellm.core.CodellmException;
import dev.codellm.model.llama.LlamaGguf.BlockTensor;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import dev.codellm.model.kernels.MatmulInput;
import dev.codellm.model.kernels.Parallel;
import dev.codellm.model.kernels.VecMath;
import dev.codellm.model.kernels.WeightFormat;
import dev.codellm.model.kernels.WeightMatrix;
import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * A Llama-architecture transformer whose weights stay in the GGUF mapping. Tokens go through in
 * batches: a prompt is one matrix × matrix pass per weight (chunked), and {@link #decodeBatch}
 * advances several independent sessions by one token while streaming the weights once.
 * Thread-safety: one call at a time per model (the worker pool is shared).
 */
public final class LlamaModel implements AutoCloseable {
    /** Prompt tokens per forward chunk: bounds activation memory while keeping weight reuse high. */
    static final int MAX_CHUNK = 256;

    private final LlamaConfig config;
    private final WeightMatrix tokenEmbedding;
    private final LayerWeights[] layers;
    private final float[] outputNorm;
    private final WeightMatrix output;
    private final Rope rope;
    private Parallel parallel;
    /** Attached by {@link #profile}: phase timings of every pass; null (the default) times nothing. */
    private StepProfile profile;

    private LlamaModel(LlamaConfig config, WeightMatrix tokenEmbedding, LayerWeights[] layers, float[] outputNorm,
                       WeightMatrix output, float[] ropeFreqs, int threads) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.rope = new Rope(config, ropeFreqs);
        this.parallel = new Parallel(threads);
        packWeights();
    }

    /**
     * Repacks every matrix a forward pass multiplies into the running native kernels' layout now
     * (where they have one), so the first prompt does not pay for it; a later switch of kernels
     * repacks lazily in the matmul. Then reads the token embedding table into memory, as
     * llama.cpp's mmap with MAP_POPULATE does: a prompt reads one row per token, scattered over
     * the table, and from a cold page cache each row was a read from disk (3.5 % of a 512-token
     * F16 prompt in `bench --profile` on a machine that drops its page cache).
     */
    private void packWeights() {
        for (LayerWeights l : layers) for (WeightMatrix m : l.matrices()) m.packed(parallel);
        output.packed(parallel);
        tokenEmbedding.preload();
    }

    /** Loads with one worker per available processor. */
    public static LlamaModel load(GgufFile f) {
        return load(f, Parallel.defaultThreads());
    }

    /** Loads the weights of a {@code llama} GGUF (kept in the mapping) with {@code threads} workers. */
    public static LlamaModel load(GgufFile f, int threads) {
        return load(f, threads, RopeOverrides.NONE);
    }

    /** Like {@link #load(GgufFile, int)} with the file's RoPE settings replaced where {@code rope} says. */
    public static LlamaModel load(GgufFile f, int threads, RopeOverrides rope) {
        LlamaConfig c = rope.apply(LlamaConfig.fromGguf(f));
        int dim = c.dim(), kvDim = c.kvDim(), ffn = c.ffnDim();
        WeightMatrix embd = matrix(f, LlamaGguf.TOKEN_EMBD, dim, c.vocabSize());
        LayerWeights[] layers = new LayerWeights[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            layers[l] = new LayerWeights(
                    vector(f, BlockTensor.ATTN_NORM.name(l), dim),
                    matrix(f, BlockTensor.ATTN_Q.name(l), dim, dim),
                    matrix(f, BlockTensor.ATTN_K.name(l), dim, kvDim),
                    matrix(f, BlockTensor.ATTN_V.name(l), dim, kvDim),
                    matrix(f, BlockTensor.ATTN_OUTPUT.name(l), dim, dim),
                    vector(f, BlockTensor.FFN_NORM.name(l), dim),
                    matrix(f, BlockTensor.FFN_GATE.name(l), dim, ffn),
                    matrix(f, BlockTensor.FFN_DOWN.name(l), ffn, dim),
                    matrix(f, BlockTensor.FFN_UP.name(l), dim, ffn));
        }
        float[] outNorm = vector(f, LlamaGguf.OUTPUT_NORM, dim);
        // Tied embeddings: files without output.weight reuse the token embedding as classifier.
        WeightMatrix output = c.tiedOutput() ? embd : matrix(f, LlamaGguf.OUTPUT, dim, c.vocabSize());
        // llama3-scaled models (Llama 3.1+) carry their RoPE frequency divisors as a tensor
        float[] ropeFreqs = f.findTensor(LlamaGguf.ROPE_FREQS).isPresent() ? vector(f, LlamaGguf.ROPE_FREQS, c.ropeDim() / 2) : null;
        return new LlamaModel(c, embd, layers, outNorm, output, ropeFreqs, threads);
    }

    private static WeightMatrix matrix(GgufFile f, String name, int cols, int rows) {
        GgufTensor t = f.tensor(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != cols || s[1] != rows) {
            throw new CodellmException("tensor " + name + " has shape " + Arrays.toString(s) + ", expected [" + cols + ", " + rows + "]");
        }
        WeightFormat fmt = WeightFormat.forGgmlId(t.type().id());
        if (fmt == null) {
            throw new CodellmException("tensor " + name + " has type " + t.type() + ", which has no kernel (supported: "
                    + WeightFormat.supportedNames() + ")");
        }
        try {
            return new WeightMatrix(name, t.data(), fmt, rows, cols);
        } catch (IllegalArgumentException e) {
            throw new CodellmException("tensor " + e.getMessage());
        }
    }

    private static float[] vector(GgufFile f, String name, int n) {
        GgufTensor t = f.tensor(name);
        if (t.elementCount() != n) throw new CodellmException("tensor " + name + " has " + t.elementCount() + " elements, expected " + n);
        WeightFormat fmt = WeightFormat.forGgmlId(t.type().id());
        if (fmt == null || n % fmt.blockSize() != 0) throw new CodellmException("tensor " + name + " has unsupported type " + t.type());
        float[] v = new float[n];
        fmt.dequant(t.data(), 0, v, 0, n);
        return v;
    }

    public LlamaConfig config() { return config; }

    public int threads() { return parallel.threads(); }

    /** Parallel loops handed to the worker threads so far (bench divides them by the tokens generated). */
    public long dispatches() { return parallel.dispatches(); }

    /** Wall nanoseconds of one empty dispatch on this model's threads (the fixed cost of every parallel matmul). */
    public synchronized double measureDispatchNanos() { return parallel.measureDispatchNanos(20_000); }

    /**
     * Times every later forward pass by phase into {@code p} (null stops): what {@code bench
     * --profile} reports. Costs about a dozen System.nanoTime calls per layer.
     */
    public synchronized void profile(StepProfile p) { this.profile = p; }

    /** Adds the time since {@code t0} to phase {@code ph} of {@code p} and returns now (0 when not profiling). */
    private static long lap(StepProfile p, StepProfile.Phase ph, long t0) {
        if (p == null) return 0;
        long now = System.nanoTime();
        p.add(ph, now - t0);
        return now;
    }

    /** Changes the number of worker threads (between calls). */
    public synchronized void setThreads(int threads) {
        if (threads == parallel.threads()) return;
        parallel.close();
        parallel = new Parallel(threads);
    }

    /** Bytes of weights read to produce one token (all matrices + classifier; the embedding row is negligible). */
    public long weightBytesPerToken() {
        long b = output.byteSize();
        for (LayerWeights l : layers) b += l.matrixBytes();
        return b;
    }

    /** Weight type of the first layer's Q projection (what the file is "quantized as"). */
    public String weightTypeName() { return layers[0].wq().format().name(); }

    public Session newSession(int contextLength, KvType kvType) {
        return new Session(this, contextLength, kvType);
    }

    /** Processes {@code tokens} after the session's current position; returns the last token's logits. */
    public float[] forward(Session s, int[] tokens) {
        float[][] all = run(s, tokens, false);
        return all[all.length - 1];
    }

    /** Like {@link #forward} but returns logits for every token (teacher forcing, perplexity, tests). */
    public float[][] forwardAll(Session s, int[] tokens) {
        return run(s, tokens, true);
    }

    /**
     * Processes {@code tokens} after the session's position like {@link #forwardAll}, but returns
     * each token's final hidden state (after the output norm: the classifier's input, llama.cpp's
     * {@code result_norm}, {@code dim} floats) instead of its logits. For embeddings.
     */
    public float[][] hiddenStates(Session s, int[] tokens) {
        return run(s, tokens, true, true);
    }

    private float[][] run(Session s, int[] tokens, boolean all) {
        return run(s, tokens, all, false);
    }

    private synchronized float[][] run(Session s, int[] tokens, boolean all, boolean hidden) {
        checkSession(s);
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to process");
        if (s.position() + tokens.length > s.contextLength()) {
            throw new CodellmException("prompt of " + tokens.length + " tokens at position " + s.position()
                    + " exceeds the context length " + s.contextLength());
        }
        float[][] result = new float[all ? tokens.length : 1][];
        for (int start = 0; start < tokens.length; start += MAX_CHUNK) {
            int n = Math.min(MAX_CHUNK, tokens.length - start);
            Session[] rowSession = new Session[n];
            int[] rowPos = new int[n];
            for (int i = 0; i < n; i++) {
                rowSession[i] = s;
                rowPos[i] = s.position() + i;
            }
            boolean last = start + n == tokens.length;
            int[] logitRows = all ? range(0, n) : last ? new int[] {n - 1} : new int[0];
            float[][] logits = step(rowSession, rowPos, Arrays.copyOfRange(tokens, start, start + n), logitRows, hidden);
            s.advance(n);
            if (all) System.arraycopy(logits, 0, result, start, n);
            else if (last) result[0] = logits[0];
        }
        return result;
    }

    /**
     * Advances each session by one token (sessions must be distinct) in one pass over the weights;
     * returns each session's next-token logits.
     */
    public synchronized float[][] decodeBatch(Session[] sessions, int[] tokens) {
        if (sessions.length != tokens.length) throw new IllegalArgumentException(sessions.length + " sessions but " + tokens.length + " tokens");
        if (sessions.length == 0) return new float[0][];
        IdentityHashMap<Session, Boolean> seen = new IdentityHashMap<>();
        int[] pos = new int[sessions.length];
        for (int i = 0; i < sessions.length; i++) {
            Session s = sessions[i];
            checkSession(s);
            if (seen.put(s, Boolean.TRUE) != null) throw new IllegalArgumentException("session passed twice to decodeBatch");
            if (s.position() >= s.contextLength()) throw new CodellmException("context full (" + s.contextLength() + " tokens)");
            pos[i] = s.position();
        }
        float[][] logits = step(sessions, pos, tokens, range(0, sessions.length), false);
        for (Session s : sessions) s.advance(1);
        return logits;
    }

    /**
     * One pass over the weights for several distinct sessions, each appending its own tokens: the
     * server's mixed step (the running slots' next tokens together with chunks of new prompts, as
     * llama-server's unified batch), so a prompt being read costs the running streams no pass of
     * their own and several short prompts share one. Returns each session's logits after its last
     * token, or null where {@code wantLogits[i]} is false (a prompt chunk that is not its last).
     */
    public synchronized float[][] forwardMixed(Session[] sessions, int[][] tokens, boolean[] wantLogits) {
        int n = sessions.length;
        if (tokens.length != n || wantLogits.length != n) {
            throw new IllegalArgumentException(n + " sessions but " + tokens.length + " token lists and " + wantLogits.length + " logit flags");
        }
        IdentityHashMap<Session, Boolean> seen = new IdentityHashMap<>();
        int rows = 0, wanted = 0;
        for (int i = 0; i < n; i++) {
            Session s = sessions[i];
            checkSession(s);
            if (seen.put(s, Boolean.TRUE) != null) throw new IllegalArgumentException("session passed twice to forwardMixed");
            if (tokens[i].length == 0) throw new IllegalArgumentException("no tokens for session " + i);
            if (s.position() + tokens[i].length > s.contextLength()) {
                throw new CodellmException(tokens[i].length + " tokens at position " + s.position() + " exceed the context length " + s.contextLength());
            }
            rows += tokens[i].length;
            if (wantLogits[i]) wanted++;
        }
        Session[] rowSession = new Session[rows];
        int[] rowPos = new int[rows], rowToken = new int[rows], logitRows = new int[wanted];
        for (int i = 0, r = 0, w = 0; i < n; i++) {
            for (int j = 0; j < tokens[i].length; j++, r++) {
                rowSession[r] = sessions[i];
                rowPos[r] = sessions[i].position() + j;
                rowToken[r] = tokens[i][j];
            }
            if (wantLogits[i]) logitRows[w++] = r - 1;
        }
        float[][] logits = step(rowSession, rowPos, rowToken, logitRows, false);
        float[][] out = new float[n][];
        for (int i = 0, w = 0; i < n; i++) {
            sessions[i].advance(tokens[i].length);
            if (wantLogits[i]) out[i] = logits[w++];
        }
        return out;
    }

    /**
     * Appends a run of tokens to each session in one pass over the weights ({@code tokens[i]} to
     * {@code sessions[i]}, sessions distinct, each run non-empty) and returns the logits after every
     * token of every run: what speculative decoding verifies drafts with (each session's pending
     * token and its drafted continuation). Rows are computed independently of each other where the
     * kernels are batch-invariant (the native kernels of every quantized type, F16 and BF16), so a
     * row's logits equal those of feeding its tokens one at a time.
     */
    public synchronized float[][][] decodeRuns(Session[] sessions, int[][] tokens) {
        if (sessions.length != tokens.length) throw new IllegalArgumentException(sessions.length + " sessions but " + tokens.length + " runs");
        IdentityHashMap<Session, Boolean> seen = new IdentityHashMap<>();
        int rows = 0;
        for (int i = 0; i < sessions.length; i++) {
            Session s = sessions[i];
            checkSession(s);
            if (seen.put(s, Boolean.TRUE) != null) throw new IllegalArgumentException("session passed twice to decodeRuns");
            if (tokens[i].length == 0) throw new IllegalArgumentException("empty run for session " + i);
            if (s.position() + tokens[i].length > s.contextLength()) {
                throw new CodellmException("context full (" + s.contextLength() + " tokens)");
            }
            rows += tokens[i].length;
        }
        float[][][] out = new float[sessions.length][][];
        if (rows == 0) return out;
        Session[] rowSession = new Session[rows];
        int[] rowPos = new int[rows], rowToken = new int[rows];
        for (int i = 0, r = 0; i < sessions.length; i++) {
            for (int j = 0; j < tokens[i].length; j++, r++) {
                rowSession[r] = sessions[i];
                rowPos[r] = sessions[i].position() + j;
                rowToken[r] = tokens[i][j];
            }
        }
        // a run split between two chunks reads its earlier rows' keys and values, stored by the first
        float[][] logits = new float[rows][];
        for (int start = 0; start < rows; start += MAX_CHUNK) {
            int n = Math.min(MAX_CHUNK, rows - start);
            float[][] l = step(Arrays.copyOfRange(rowSession, start, start + n), Arrays.copyOfRange(rowPos, start, start + n),
                    Arrays.copyOfRange(rowToken, start, start + n), range(0, n), false);
            System.arraycopy(l, 0, logits, start, n);
        }
        for (int i = 0, r = 0; i < sessions.length; i++) {
            out[i] = Arrays.copyOfRange(logits, r, r + tokens[i].length);
            r += tokens[i].length;
            sessions[i].advance(tokens[i].length);
        }
        return out;
    }

    /**
     * Context shift (llama.cpp's): forgets the session's positions [keep, keep + discard) and moves
     * the rest down, with RoPE re-applied to the moved keys, so generation can go on past the end
     * of the context. The kept tokens' later-layer keys and values were computed while the dropped
     * ones were still there: an approximation, as in llama.cpp; exact for a one-layer model.
     */
    public synchronized void shift(Session s, int keep, int discard) {
        checkSession(s);
        s.shift(keep, discard, rope, rope.shiftTable(-discard), config.headDim());
    }

    private void checkSession(Session s) {
        if (s.model() != this) throw new IllegalArgumentException("session belongs to another model");
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /**
     * One pass of {@code B} rows, row i being token {@code tokens[i]} at {@code pos[i]} of
     * {@code sess[i]}; returns the logits of {@code logitRows}, or with {@code hidden} their
     * normalised final hidden states.
     */
    private float[][] step(Session[] sess, int[] pos, int[] tokens, int[] logitRows, boolean hidden) {
        final int B = tokens.length, dim = config.dim(), kvDim = config.kvDim(), hd = config.headDim();
        final int heads = config.heads(), kvHeads = config.kvHeads(), ffn = config.ffnDim();
        final StepProfile prof = profile;
        final long start = prof == null ? 0 : System.nanoTime();
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) throw new CodellmException("token id " + t + " outside the vocabulary of " + config.vocabSize());
        }
        StepBuffers buf = buffers(B);
        final float[] x = buf.x, xb = buf.xb, xb2 = buf.xb2, q = buf.q, k = buf.k, v = buf.v, hb = buf.hb, hb2 = buf.hb2;
        long t = prof == null ? 0 : System.nanoTime();
        Parallel par = parallel;
        // Every per-row step runs as a parallel loop over the rows (serially below 2 × ROW_GRAIN
        // rows): in a prompt chunk these were serial sections between the matmuls, what the second
        // thread lost. Rows are independent, so the results do not depend on the split.
        par.forRange(B, ROW_GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) tokenEmbedding.dequantRow(tokens[i], x, i * dim);
        });
        t = lap(prof, StepProfile.Phase.EMBED, t);
        int[][] blocks = queryBlocks(sess, pos);
        float[][] ropeTables = new float[B][];
        par.forRange(B, ROW_GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) ropeTables[i] = rope.table(pos[i]);
        });
        t = lap(prof, StepProfile.Phase.ROPE_TABLES, t);
        int[] outRows = logitRows;
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = layers[l];
            // The last layer's attention output, wo and FFN only for the rows whose logits are
            // wanted (llama.cpp's inp_out_ids): no later layer reads the other rows. Every row's
            // keys and values are still computed and stored. Rows are independent and the native
            // matmuls give a row the same bits in any batch, so the logits are those of the full pass.
            final boolean cut = l == layers.length - 1 && outRows.length < B;
            final int n = cut ? outRows.length : B;
            rmsnorm(x, w.attnNorm(), xb, B, par);
            t = lap(prof, StepProfile.Phase.ATTN_NORM, t);
            WeightMatrix.Task qkv = WeightMatrix.tasks(new MatmulInput(xb, B, par), par, new WeightMatrix[] {w.wq(), w.wk(), w.wv()},
                    new float[][] {q, k, v});
            t = lap(prof, StepProfile.Phase.CONVERT, t);
            WeightMatrix.run(qkv, par);
            t = lap(prof, StepProfile.Phase.QKV, t);
            final int layer = l;
            par.forRange(B, ROW_GRAIN, (i0, i1) -> {  // rows are distinct (session, position) pairs: disjoint cache rows
                for (int i = i0; i < i1; i++) {
                    rope.apply(q, i * dim, heads, hd, ropeTables[i]);
                    rope.apply(k, i * kvDim, kvHeads, hd, ropeTables[i]);
                    sess[i].store(layer, pos[i], k, i * kvDim, v, i * kvDim);
                }
            });
            t = lap(prof, StepProfile.Phase.ROPE_KV, t);
            if (cut && n == 0) break;  // a prompt chunk that is not the last: only its keys and values were needed
            final int group = heads / kvHeads;
            if (cut) {
                // one job per (wanted row, head), the row's output written compacted to row r
                final int[] rowsOut = outRows;
                par.forRange(rowsOut.length * heads, 1, (from, to) -> {
                    for (int job = from; job < to; job++) {
                        int r = job / heads, h = job % heads, i = rowsOut[r];
                        sess[i].attend(layer, pos[i], 1, q, i * dim + h * hd, dim, (h / group) * hd, hd, xb, r * dim + h * hd, dim);
                    }
                });
                // the residual stream of the wanted rows moved down to rows 0..n-1 (ascending, so in place)
                for (int r = 0; r < rowsOut.length; r++) System.arraycopy(x, rowsOut[r] * dim, x, r * dim, dim);
                outRows = range(0, rowsOut.length);
            } else {
                // one job per (query block, head): a block is up to QUERY_BLOCK consecutive rows of one session
                par.forRange(blocks.length * heads, 1, (from, to) -> {
                    for (int job = from; job < to; job++) {
                        int[] b = blocks[job / heads];
                        int h = job % heads, i0 = b[0], nq = b[1];
                        sess[i0].attend(layer, pos[i0], nq, q, i0 * dim + h * hd, dim, (h / group) * hd, hd, xb, i0 * dim + h * hd, dim);
                    }
                });
            }
            t = lap(prof, StepProfile.Phase.ATTENTION, t);
            WeightMatrix.Task wo = w.wo().task(new MatmulInput(xb, n, par), xb2, par);
            t = lap(prof, StepProfile.Phase.CONVERT, t);
            WeightMatrix.run(wo, par);
            t = lap(prof, StepProfile.Phase.WO, t);
            add(x, xb2, n, dim, par);
            t = lap(prof, StepProfile.Phase.RESIDUAL, t);
            rmsnorm(x, w.ffnNorm(), xb, n, par);
            t = lap(prof, StepProfile.Phase.FFN_NORM, t);
            MatmulInput ffnIn = new MatmulInput(xb, n, par);
            WeightMatrix.Task gate = w.gate().task(ffnIn, hb, par), up = w.up().task(ffnIn, hb2, par);
            t = lap(prof, StepProfile.Phase.CONVERT, t);
            swiglu(gate, up, ffn, hb, hb2, n, par);
            t = lap(prof, StepProfile.Phase.GATE_UP, t);
            WeightMatrix.Task down = w.down().task(new MatmulInput(hb, n, par), xb2, par);
            t = lap(prof, StepProfile.Phase.CONVERT, t);
            WeightMatrix.run(down, par);
            t = lap(prof, StepProfile.Phase.DOWN, t);
            add(x, xb2, n, dim, par);
            t = lap(prof, StepProfile.Phase.RESIDUAL, t);
        }
        logitRows = outRows;
        int R = logitRows.length;
        if (R == 0) {
            if (prof != null) prof.pass(System.nanoTime() - start);
            return new float[0][];
        }
        float[] sel = new float[R * dim];
        float[] normed = new float[dim];
        for (int r = 0; r < R; r++) {
            rmsnormRow(x, logitRows[r] * dim, outputNorm, normed, 0, dim);
            System.arraycopy(normed, 0, sel, r * dim, dim);
        }
        t = lap(prof, StepProfile.Phase.OUTPUT_NORM, t);
        float[][] out = new float[R][];
        if (hidden) {
            for (int r = 0; r < R; r++) out[r] = Arrays.copyOfRange(sel, r * dim, (r + 1) * dim);
        } else {
            int vocab = config.vocabSize();
            float[] logits = new float[R * vocab];
            output.matmul(sel, logits, R, par);
            lap(prof, StepProfile.Phase.LOGITS, t);
            for (int r = 0; r < R; r++) out[r] = Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab);
        }
        if (prof != null) prof.pass(System.nanoTime() - start);
        return out;
    }

    /**
     * The activation arrays of a step (every element a step reads it has written first: the
     * embedding rows, norms, matmul outputs and attention overwrite whole rows), kept for the next
     * step of as many rows or fewer. Allocated per step they were ~42 MB per 256-row prompt chunk
     * of a 7B-shaped model, live for the whole step: in the launcher's small heap (192 MiB for a
     * 4-layer file) each chunk's young collections copied them mid-step, 50-115 ms pauses that no
     * second thread shortens. Only the step running (the model is synchronized) uses them.
     */
    private static final class StepBuffers {
        final int rows;
        final float[] x, xb, xb2, q, k, v, hb, hb2;

        StepBuffers(LlamaConfig c, int rows) {
            this.rows = rows;
            int dim = c.dim(), kvDim = c.kvDim(), ffn = c.ffnDim();
            x = new float[rows * dim];
            xb = new float[rows * dim];
            xb2 = new float[rows * dim];
            q = new float[rows * dim];
            k = new float[rows * kvDim];
            v = new float[rows * kvDim];
            hb = new float[rows * ffn];
            hb2 = new float[rows * ffn];
        }
    }

    private StepBuffers buffers;

    /** Arrays for a step of {@code rows} rows: the last step's when they are large enough. */
    private StepBuffers buffers(int rows) {
        StepBuffers b = buffers;
        if (b == null || b.rows < rows) {
            buffers = null;  // the old arrays can go before the new ones are allocated
            buffers = b = new StepBuffers(config, rows);
        }
        return b;
    }

    /**
     * hb = silu(gate·x) ⊙ (up·x) in one parallel loop (the two tasks share one converted input),
     * and each chunk of rows gets its gate and up outputs and their SwiGLU product from the same
     * thread (so the product runs in parallel too, instead of serially after both matmuls).
     */
    private static void swiglu(WeightMatrix.Task gate, WeightMatrix.Task up, int ffn, float[] hb, float[] hb2, int B, Parallel par) {
        par.forRange(gate.units(), WeightMatrix.GRAIN_UNITS, (u0, u1) -> {
            gate.run(u0, u1);
            up.run(u0, u1);
            int r0 = u0 * WeightMatrix.UNIT_ROWS, r1 = Math.min(ffn, u1 * WeightMatrix.UNIT_ROWS);
            for (int t = 0; t < B; t++) {
                for (int i = t * ffn + r0, end = t * ffn + r1; i < end; i++) {
                    float g = hb[i];
                    hb[i] = g / (1f + (float) Math.exp(-g)) * hb2[i];
                }
            }
        });
    }

    /**
     * The rows cut into attention blocks {start, count}: runs of rows of the same session at
     * consecutive positions (a prompt chunk), at most {@link FlashAttention#QUERY_BLOCK} each, so
     * each block reads the keys and values once for all its queries.
     */
    static int[][] queryBlocks(Session[] sess, int[] pos) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < sess.length; ) {
            int n = 1;
            while (i + n < sess.length && n < FlashAttention.QUERY_BLOCK && sess[i + n] == sess[i] && pos[i + n] == pos[i] + n) n++;
            out.add(new int[] {i, n});
            i += n;
        }
        return out.toArray(new int[0][]);
    }

    /**
     * Rows per chunk of the forward pass's per-row loops (norms, RoPE and the cache store, residual
     * adds, embedding rows): a row of a 7B model takes a few microseconds, so generation and small
     * server batches (under 2 chunks) run them on the calling thread without a dispatch.
     */
    static final int ROW_GRAIN = 8;

    private void rmsnorm(float[] x, float[] weight, float[] out, int B, Parallel par) {
        int dim = config.dim();
        par.forRange(B, ROW_GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) rmsnormRow(x, i * dim, weight, out, i * dim, dim);
        });
    }

    private void rmsnormRow(float[] x, int xo, float[] weight, float[] out, int oo, int dim) {
        float ss = VecMath.dot(x, xo, x, xo, dim);
        float scale = (float) (1.0 / Math.sqrt(ss / dim + config.rmsEps()));
        for (int j = 0; j < dim; j++) out[oo + j] = weight[j] * (scale * x[xo + j]);
    }

    /** x += y over B rows of n floats, split by rows (element-wise, so any split gives the same sums). */
    private static void add(float[] x, float[] y, int B, int n, Parallel par) {
        par.forRange(B, ROW_GRAIN, (i0, i1) -> VecMath.axpy(1f, y, i0 * n, x, i0 * n, (i1 - i0) * n));
    }

    @Override
    public void close() {
        parallel.close();
    }
}
