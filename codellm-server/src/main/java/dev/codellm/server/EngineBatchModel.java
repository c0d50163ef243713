package dev.codellm.server;

import dev.codellm.core.BadRequestException;
import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.GenerationState;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LoadedModel;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayDeque;

/**
 * {@link BatchModel} on the real engine: one {@link LlamaModel} whose weights all slots share,
 * a {@link Session} (KV cache) per running request, recycled between requests, and the
 * engine's {@code decodeBatch} for the batched step; a new request reuses the cached prefix it
 * shares with a recycled session. Prompts are built by the generation module
 * ({@link LocalGenerator#promptIds}: BOS, Code Llama infill format, chat template), and per-request
 * state is its {@link GenerationState}, with the same stop tokens and strings as {@code LocalGenerator}.
 */
public final class EngineBatchModel implements BatchModel {
    private final LoadedModel loaded;
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final LocalGenerator prompts;
    private final ModelInfo info;
    private final KvType kvType;
    private final ArrayDeque<EngineSequence> idle = new ArrayDeque<>();

    private EngineBatchModel(LoadedModel loaded, LocalGenerator prompts, KvType kvType) {
        this.loaded = loaded;
        this.model = loaded.model();
        this.tokenizer = loaded.tokenizer();
        this.prompts = prompts;
        this.info = prompts.info();
        this.kvType = kvType;
    }

    /**
     * Loads a GGUF model as {@code LocalGenerator.open} does (same context default, template, name,
     * infill support), keeping the engine for batched decoding; {@code options.contextLength()} is
     * the context of each slot.
     */
    public static EngineBatchModel open(Path path, GeneratorOptions options) {
        LoadedModel loaded = LoadedModel.open(path, options);
        try {
            KvType kv = KvType.parse(options.kvType());
            return new EngineBatchModel(loaded, LocalGenerator.create(loaded.file(), loaded.model(), loaded.tokenizer(), options), kv);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** One line about the loaded model for the server's start-up message. */
    public String summary() { return prompts.summary() + " (context and KV cache are per slot)"; }

    /** Bytes of weights streamed per decode step (for the bandwidth bound in benchmarks). */
    public long weightBytesPerStep() { return model.weightBytesPerToken(); }

    @Override public ModelInfo info() { return info; }

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

    @Override public String piece(int token) { return prompts.codec().piece(token); }

    @Override public int vocabSize() { return tokenizer.vocabSize(); }

    @Override
    public int[] promptTokens(Prompt prompt) {
        try {
            return switch (prompt) {
                case Prompt.Text t -> prompts.promptIds(CompletionRequest.of(t.text(), SamplingParams.GREEDY));
                case Prompt.Infill f -> prompts.promptIds(new CompletionRequest(f.prefix(), f.suffix(), SamplingParams.GREEDY));
                case Prompt.Chat c -> prompts.promptIds(new ChatRequest(c.messages(), SamplingParams.GREEDY));
            };
        } catch (BadRequestException e) {
            throw ApiError.badRequest(e.getMessage(), e.param());
        } catch (CodellmException e) {
            throw ApiError.badRequest(e.getMessage(), "prompt");
        }
    }

    /** The generation module's state for this request: stop tokens and strings exactly as {@code LocalGenerator} runs it. */
    @Override
    public GenerationState newGeneration(Prompt prompt, int[] promptTokens, SamplingParams params) {
        LocalGenerator.Prepared prepared = switch (prompt) {
            case Prompt.Text t -> prompts.prepare(promptTokens, params);
            case Prompt.Infill f -> prompts.prepare(new CompletionRequest(f.prefix(), f.suffix(), params), promptTokens);
            case Prompt.Chat c -> prompts.prepare(new ChatRequest(c.messages(), params), promptTokens);
        };
        return prepared.state();
    }

    /**
     * The idle session whose cached tokens share the longest prefix with {@code prompt}, rewound
     * to that prefix (a chat's next turn or an editor's next completion at the same place then
     * only computes the new tokens), else a new session. At least the prompt's last token is
     * always recomputed, for its logits.
     */
    @Override
    public synchronized Sequence newSequence(int[] prompt) {
        EngineSequence best = null;
        int bestCommon = -1;
        for (EngineSequence s : idle) {
            int common = s.commonPrefix(prompt);
            if (common > bestCommon) {
                best = s;
                bestCommon = common;
            }
        }
        if (best == null) return new EngineSequence(model.newSession(info.contextLength(), kvType));
        idle.remove(best);
        best.rewind(Math.min(bestCommon, prompt.length - 1));
        return best;
    }

    @Override
    public float[] prefill(Sequence seq, int[] tokens) {
        EngineSequence s = (EngineSequence) seq;
        float[] logits = model.forward(s.session, tokens);
        s.appended(tokens);
        return logits;
    }

    @Override
    public float[][] decode(Sequence[] seqs, int[] tokens) {
        Session[] sessions = new Session[seqs.length];
        for (int i = 0; i < seqs.length; i++) sessions[i] = ((EngineSequence) seqs[i]).session;
        float[][] logits = model.decodeBatch(sessions, tokens);
        for (int i = 0; i < seqs.length; i++) ((EngineSequence) seqs[i]).appended(new int[] {tokens[i]});
        return logits;
    }

    @Override
    public synchronized void close() {
        idle.clear();
        loaded.close();
    }

    /** A session plus the tokens in its cache, so a later prompt can reuse a shared prefix. */
    private final class EngineSequence implements Sequence {
        final Session session;
        private int[] tokens = new int[256];
        private int cached;

        EngineSequence(Session session) {
            this.session = session;
        }

        @Override public int cachedTokens() { return cached; }

        int commonPrefix(int[] prompt) {
            int n = Math.min(session.position(), prompt.length), i = 0;
            while (i < n && tokens[i] == prompt[i]) i++;
            return i;
        }

        void rewind(int position) {
            session.truncate(position);
            cached = position;
        }

        void appended(int[] ts) {
            int at = session.position() - ts.length;
            if (session.position() > tokens.length) tokens = java.util.Arrays.copyOf(tokens, Math.max(tokens.length * 2, session.position()));
            System.arraycopy(ts, 0, tokens, at, ts.length);
        }

        @Override
        public void release() {
            cached = 0;
            synchronized (EngineBatchModel.this) {
                idle.push(this);
            }
        }
    }
}
