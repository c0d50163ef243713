package dev.codellm.model.generate;

import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The engine's KV caches (one {@link Session} each), recycled between requests with the tokens
 * they hold, so a new prompt only computes what it does not share with an earlier one: a chat's
 * next turn, or an editor asking again at the same place. {@link #acquire} hands out the idle cache
 * sharing the longest prefix with the prompt, rewound to that prefix (at least the prompt's last
 * token is always recomputed, for its logits), or a new one. The one home of prefix reuse: the
 * single-sequence {@link LocalGenerator} (through {@link EngineSequenceRunner}) and the server's
 * batched slots both run on it, and {@link #decode} is the one batched engine step.
 */
public final class KvCachePool {
    private final LlamaModel model;
    private final int contextLength;
    private final KvType kvType;
    private final ArrayDeque<CachedSequence> idle = new ArrayDeque<>();

    public KvCachePool(LlamaModel model, int contextLength, KvType kvType) {
        this.model = model;
        this.contextLength = contextLength;
        this.kvType = kvType;
    }

    /** Tokens each cache holds (prompt + generated). */
    public int contextLength() { return contextLength; }

    /** A cache for running {@code prompt}, holding the longest prefix of it that an idle cache had. */
    public synchronized CachedSequence acquire(int[] prompt) {
        CachedSequence best = null;
        int bestCommon = -1;
        for (CachedSequence s : idle) {
            int common = s.commonPrefix(prompt);
            if (common > bestCommon) {
                best = s;
                bestCommon = common;
            }
        }
        if (best == null) return new CachedSequence(model.newSession(contextLength, kvType));
        idle.remove(best);
        best.rewind(Math.max(0, Math.min(bestCommon, prompt.length - 1)));
        return best;
    }

    /** Idle caches kept for reuse. */
    public synchronized int idleCount() { return idle.size(); }

    /** Forgets the idle caches (their memory is freed with their sessions). */
    public synchronized void clear() { idle.clear(); }

    /**
     * The batched decode step: appends {@code tokens[i]} to {@code seqs[i]} for every i in one pass
     * over the weights and returns each one's next-token logits. The server's scheduler calls this
     * once per step for all its running slots.
     */
    public float[][] decode(CachedSequence[] seqs, int[] tokens) {
        Session[] sessions = new Session[seqs.length];
        for (int i = 0; i < seqs.length; i++) sessions[i] = seqs[i].session;
        float[][] logits = model.decodeBatch(sessions, tokens);
        for (int i = 0; i < seqs.length; i++) seqs[i].appended(new int[] {tokens[i]});
        return logits;
    }

    /**
     * The mixed step ({@link LlamaModel#forwardMixed}): each of {@code seqs} appends its own
     * {@code tokens[i]} (a running slot's next token or a chunk of a new prompt), all in one pass
     * over the weights; returns each one's logits after its last token, null where
     * {@code wantLogits[i]} is false.
     */
    public float[][] step(CachedSequence[] seqs, int[][] tokens, boolean[] wantLogits) {
        Session[] sessions = new Session[seqs.length];
        for (int i = 0; i < seqs.length; i++) sessions[i] = seqs[i].session;
        float[][] logits = model.forwardMixed(sessions, tokens, wantLogits);
        for (int i = 0; i < seqs.length; i++) seqs[i].appended(tokens[i]);
        return logits;
    }

    /**
     * The batched step of speculative decoding: appends the run {@code tokens[i]} (a pending token
     * and its drafted continuation) to {@code seqs[i]} for every i in one pass over the weights and
     * returns the logits after each token of each run. Drafts found wrong are taken back with
     * {@link CachedSequence#truncate}.
     */
    public float[][][] decodeRuns(CachedSequence[] seqs, int[][] tokens) {
        Session[] sessions = new Session[seqs.length];
        for (int i = 0; i < seqs.length; i++) sessions[i] = seqs[i].session;
        float[][][] logits = model.decodeRuns(sessions, tokens);
        for (int i = 0; i < seqs.length; i++) seqs[i].appended(tokens[i]);
        return logits;
    }

    /** One cache in use: its session and the tokens in it. */
    public final class CachedSequence {
        private final Session session;
        private int[] tokens = new int[256];
        private int reused;
        private boolean released;

        private CachedSequence(Session session) {
            this.session = session;
        }

        /** Leading prompt tokens that were already in the cache when it was acquired. */
        public int cachedTokens() { return reused; }

        /** Tokens in the cache now. */
        public int position() { return session.position(); }

        /** Appends {@code ts} (one batched pass) and returns the logits after the last one. */
        public float[] prefill(int[] ts) {
            float[] logits = model.forward(session, ts);
            appended(ts);
            return logits;
        }

        /** Appends {@code ts} (one batched pass) and returns the logits after each of them. */
        public float[][] prefillAll(int[] ts) {
            float[][] logits = model.forwardAll(session, ts);
            appended(ts);
            return logits;
        }

        /**
         * Forgets the tokens from {@code position} on (rejected drafts): the cache then holds
         * exactly what it held after its first {@code position} tokens, since a position's keys and
         * values depend only on the tokens up to it.
         */
        public void truncate(int position) {
            session.truncate(position);
        }

        /** Context shift: drops tokens [keep, keep + discard) and moves the rest down ({@link LlamaModel#shift}). */
        public void shift(int keep, int discard) {
            model.shift(session, keep, discard);
            int end = session.position();
            System.arraycopy(tokens, keep + discard, tokens, keep, end - keep);
        }

        /** Hands the cache back for reuse by a later prompt; call once, when the request ends. */
        public void release() {
            synchronized (KvCachePool.this) {
                if (released) return;
                released = true;
                idle.push(this);
            }
        }

        private int commonPrefix(int[] prompt) {
            int n = Math.min(session.position(), prompt.length), i = 0;
            while (i < n && tokens[i] == prompt[i]) i++;
            return i;
        }

        private void rewind(int position) {
            session.truncate(position);
            reused = position;
            released = false;
        }

        private void appended(int[] ts) {
            int end = session.position(), at = end - ts.length;
            if (end > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, end));
            System.arraycopy(ts, 0, tokens, at, ts.length);
        }
    }
}
