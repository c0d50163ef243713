package dev.codellm.server;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.model.generate.ChatTemplate;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.model.generate.EngineSequenceModel;
import dev.codellm.model.generate.GenerationState;
import dev.codellm.model.generate.GeneratorOptions;
import dev.codellm.model.generate.LocalGenerator;
import dev.codellm.model.generate.PromptPart.FimToken;
import dev.codellm.model.generate.TokenizerCodec;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@link BatchModel} on the real engine: one {@link LlamaModel} whose weights all slots share,
 * a {@link Session} (KV cache) per running request, recycled between requests, and the
 * engine's {@code decodeBatch} for the batched step; a new request reuses the cached prefix it
 * shares with a recycled session. Prompts are built by the generation module
 * ({@link LocalGenerator#promptIds}: BOS, Code Llama infill format, chat template), and per-request
 * state is its {@link GenerationState}, with the same stop tokens and strings as {@code LocalGenerator}.
 */
public final class EngineBatchModel implements BatchModel {
    /** Default context per slot when none is asked for (the trained length can be 16k+ tokens of KV cache each). */
    static final int DEFAULT_CONTEXT_CAP = 4096;

    private final GgufFile file;
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final TokenizerCodec codec;
    private final ChatTemplate template;
    private final LocalGenerator prompts;
    private final ModelInfo info;
    private final KvType kvType;
    private final String summary;
    private final ArrayDeque<EngineSequence> idle = new ArrayDeque<>();

    private EngineBatchModel(GgufFile file, LlamaModel model, Tokenizer tokenizer, ChatTemplate template, ModelInfo info,
                             KvType kvType, GeneratorOptions options, String summary) {
        this.file = file;
        this.model = model;
        this.tokenizer = tokenizer;
        this.codec = new TokenizerCodec(tokenizer);
        this.template = template;
        this.info = info;
        this.kvType = kvType;
        this.summary = summary;
        this.prompts = new LocalGenerator(codec, n -> new EngineSequenceModel(model, n, kvType), info, template,
                options.infillFormat(), null, summary);
    }

    /** Loads a GGUF model; {@code options.contextLength()} is the context of each slot. */
    public static EngineBatchModel open(Path path, GeneratorOptions options) {
        if (!Files.isRegularFile(path)) throw new CodellmException("model file not found: " + path);
        GgufFile file = GgufFile.open(path);
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            LlamaModel model = options.threads() > 0 ? LlamaModel.load(file, options.threads()) : LlamaModel.load(file);
            if (model.config().vocabSize() != tokenizer.vocabSize()) {
                model.close();
                throw new CodellmException(path + ": the model has " + model.config().vocabSize() + " output logits but its tokenizer has "
                        + tokenizer.vocabSize() + " tokens");
            }
            int trained = model.config().contextLength();
            int ctx = options.contextLength() > 0 ? options.contextLength() : Math.min(trained, DEFAULT_CONTEXT_CAP);
            KvType kv = KvType.parse(options.kvType());
            ChatTemplate template = ChatTemplates.choose(options.template(), file.optString("tokenizer.chat_template", null));
            boolean infill = tokenizer.fimPrefix().isPresent() && tokenizer.fimSuffix().isPresent() && tokenizer.fimMiddle().isPresent();
            String fileName = path.getFileName().toString();
            String name = file.optString("general.name", fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName);
            String summary = String.format(Locale.ROOT, "%s: %d layers, dim %d, %s weights, context %d per slot (trained %d), KV cache %s %.1f MiB per slot, template %s%s",
                    name, model.config().layers(), model.config().dim(), model.weightTypeName(), ctx, trained, kv,
                    Session.bytes(model.config(), ctx, kv) / 1048576.0, template.name(), infill ? ", infill" : "");
            return new EngineBatchModel(file, model, tokenizer, template, new ModelInfo(name, ctx, infill, template.name()), kv, options, summary);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** One line about the loaded model for the server's start-up message. */
    public String summary() { return summary; }

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

    @Override public String piece(int token) { return codec.piece(token); }

    @Override
    public int[] promptTokens(Prompt prompt) {
        try {
            return switch (prompt) {
                case Prompt.Text t -> prompts.promptIds(CompletionRequest.of(t.text(), SamplingParams.GREEDY));
                case Prompt.Infill f -> prompts.promptIds(new CompletionRequest(f.prefix(), f.suffix(), SamplingParams.GREEDY));
                case Prompt.Chat c -> prompts.promptIds(new ChatRequest(c.messages(), c.responsePrefix(), SamplingParams.GREEDY));
            };
        } catch (CodellmException e) {
            throw ApiError.badRequest(e.getMessage(), "prompt");
        }
    }

    /** Stop tokens and strings as {@code LocalGenerator} uses them: {@code <EOT>} for infill, the template's turn ends for chat. */
    @Override
    public GenerationState newGeneration(Prompt prompt, int[] promptTokens, SamplingParams params) {
        Set<Integer> stopIds = new HashSet<>();
        List<String> stopStrings = List.of();
        boolean strip = false;
        switch (prompt) {
            case Prompt.Text t -> { }
            case Prompt.Infill f -> codec.fim(FimToken.EOT).ifPresent(stopIds::add);
            case Prompt.Chat c -> {
                for (String name : template.stopTokens()) codec.specialId(name).ifPresent(stopIds::add);
                stopStrings = template.stopStrings();
                strip = c.responsePrefix() == null || c.responsePrefix().isEmpty();
            }
        }
        return new GenerationState(codec, params, promptTokens, info.contextLength(), stopIds, stopStrings, strip);
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
        model.close();
        file.close();
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
