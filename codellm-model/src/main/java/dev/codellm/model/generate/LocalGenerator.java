package dev.codellm.model.generate;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
import dev.codellm.core.SamplingParams;
import dev.codellm.core.TokenSink;
import dev.codellm.core.Usage;
import dev.codellm.model.generate.PromptPart.FimToken;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * {@link Generator} running a model in this process: plain completion, Code Llama infill and chat,
 * streaming text to the {@link TokenSink} as it is generated. One request at a time (requests are
 * serialized) on one sequence (KV cache) sized to the context length; the cache of a prompt prefix
 * shared with the previous request is reused (a chat's next turn computes only the new tokens).
 *
 * <p>{@link #open} loads a GGUF file; the constructor takes the pieces directly (tests, server).
 */
public final class LocalGenerator implements Generator {
    private final TokenCodec codec;
    private final IntFunction<SequenceModel> newSequence;
    private SequenceModel sequence;
    private final ModelInfo info;
    private final ChatTemplate template;
    private final InfillFormat infillFormat;
    private final PromptEncoder encoder;
    private final AutoCloseable resources;
    private final String summary;

    /**
     * @param newSequence makes the sequence (KV cache) holding the given number of tokens; called
     *                    once, on first use, and reused for every request
     * @param resources   closed by {@link #close()} (the mapped model file), may be null
     */
    public LocalGenerator(TokenCodec codec, IntFunction<SequenceModel> newSequence, ModelInfo info,
                          ChatTemplate template, InfillFormat infillFormat, AutoCloseable resources) {
        this(codec, newSequence, info, template, infillFormat, resources, info.name());
    }

    /** As above, with a one-line description of the loaded model for users ({@link #summary()}). */
    public LocalGenerator(TokenCodec codec, IntFunction<SequenceModel> newSequence, ModelInfo info,
                          ChatTemplate template, InfillFormat infillFormat, AutoCloseable resources, String summary) {
        this.codec = codec;
        this.newSequence = newSequence;
        this.info = info;
        this.template = template;
        this.infillFormat = infillFormat;
        this.encoder = new PromptEncoder(codec);
        this.resources = resources;
        this.summary = summary;
    }

    /** Opens a GGUF model file (see {@link GeneratorOptions} for context size, KV type, template). */
    public static LocalGenerator open(java.nio.file.Path gguf, GeneratorOptions options) {
        return LocalGeneratorFactory.open(gguf, options);
    }

    /**
     * A generator over an engine model the caller has loaded (and keeps, e.g. to batch sequences
     * with {@code decodeBatch}); {@code file} supplies the metadata (name, chat template). Closing the
     * generator does not close {@code model} or {@code file}.
     */
    public static LocalGenerator create(dev.codellm.model.gguf.GgufFile file, dev.codellm.model.llama.LlamaModel model,
                                        dev.codellm.model.tokenizer.Tokenizer tokenizer, GeneratorOptions options) {
        return LocalGeneratorFactory.create(file, model, tokenizer, options, null);
    }

    /** One line about the loaded model: shape, weight type, context and KV-cache size, template. */
    public String summary() { return summary; }

    @Override
    public ModelInfo info() { return info; }

    public TokenCodec codec() { return codec; }

    public ChatTemplate template() { return template; }

    /** The prompt ids a completion or infill request is turned into. */
    public int[] promptIds(CompletionRequest request) {
        return encoder.encode(prompt(request));
    }

    Prompt prompt(CompletionRequest request) {
        if (request.isInfill()) return infillFormat.prompt(request.prompt(), request.suffix());
        return Prompt.builder().bos().text(request.prompt()).build();
    }

    /** The prompt ids of a chat request, rendered with the model's template (a trailing assistant message is a prefill). */
    public int[] promptIds(ChatRequest request) {
        return encoder.encode(template.render(request.messages()));
    }

    /**
     * A request turned into prompt ids and a fresh {@link GenerationState} (sampler, stop tokens and
     * strings of its mode), ready to be run: by {@link #complete}/{@link #chat} here, or by a caller
     * that computes logits itself (the server's batched decoding): feed {@code promptIds}, then
     * call {@code state.next(logits)} until a step is finished, feeding each step's token.
     */
    public record Prepared(int[] promptIds, GenerationState state) {}

    /** Prepares a completion or, with a suffix, an infill request; checks it fits the context. */
    public Prepared prepare(CompletionRequest request) {
        requireInfillSupport(request); // before building the prompt, whose infill format would fail less clearly
        return prepare(request, promptIds(request));
    }

    /** As {@link #prepare(CompletionRequest)} with the prompt ids already computed by {@link #promptIds(CompletionRequest)}. */
    public Prepared prepare(CompletionRequest request, int[] promptIds) {
        requireInfillSupport(request);
        Set<Integer> stopIds = new HashSet<>();
        if (request.isInfill()) codec.fim(FimToken.EOT).ifPresent(stopIds::add);
        return prepared(promptIds, request.sampling(), stopIds, List.of(), false);
    }

    private void requireInfillSupport(CompletionRequest request) {
        if (request.isInfill() && !info.supportsInfill()) {
            throw new CodellmException("model " + info.name() + " cannot infill: its vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens");
        }
    }

    /** Prepares a chat request with the model's template; checks it fits the context. */
    public Prepared prepare(ChatRequest request) {
        return prepare(request, promptIds(request));
    }

    /** As {@link #prepare(ChatRequest)} with the prompt ids already computed by {@link #promptIds(ChatRequest)}. */
    public Prepared prepare(ChatRequest request, int[] promptIds) {
        Set<Integer> stopIds = new HashSet<>();
        for (String name : template.stopTokens()) codec.specialId(name).ifPresent(stopIds::add);
        // Code Llama's chat decode drops the answer's leading dummy space; after a prefill it is real text.
        boolean strip = request.prefill() == null || request.prefill().isEmpty();
        return prepared(promptIds, request.sampling(), stopIds, template.stopStrings(), strip);
    }

    /** Prepares raw prompt ids (no template), as {@code complete --ids} uses. */
    public Prepared prepare(int[] promptIds, SamplingParams sampling) {
        return prepared(promptIds, sampling, Set.of(), List.of(), false);
    }

    private Prepared prepared(int[] promptIds, SamplingParams sampling, Set<Integer> stopIds, List<String> stopStrings, boolean strip) {
        int ctx = info.contextLength();
        if (promptIds.length > ctx) {
            throw new CodellmException("prompt is " + promptIds.length + " tokens but the context holds " + ctx
                    + " (use a larger --ctx or a shorter prompt)");
        }
        if (promptIds.length == 0) throw new CodellmException("empty prompt: nothing to condition on (the model's vocabulary adds no BOS)");
        return new Prepared(promptIds, new GenerationState(codec, sampling, promptIds, ctx, stopIds, stopStrings, strip));
    }

    @Override
    public synchronized Completion complete(CompletionRequest request, TokenSink sink) {
        return run(prepare(request), sink);
    }

    @Override
    public synchronized Completion chat(ChatRequest request, TokenSink sink) {
        return run(prepare(request), sink);
    }

    /** Generates after raw {@code promptIds} and returns the finished state (ids, text, finish reason). */
    public synchronized GenerationState generate(int[] promptIds, SamplingParams sampling, TokenSink sink) {
        Prepared p = prepare(promptIds, sampling);
        drive(p.state(), p.promptIds(), sink);
        return p.state();
    }

    private Completion run(Prepared p, TokenSink sink) {
        drive(p.state(), p.promptIds(), sink);
        return new Completion(p.state().text(), p.state().finishReason(), new Usage(p.promptIds().length, p.state().generatedTokens()));
    }

    private void drive(GenerationState state, int[] promptIds, TokenSink sink) {
        if (state.nothingToGenerate()) {
            state.finishNow();
            return;
        }
        if (sequence == null) sequence = newSequence.apply(info.contextLength());
        float[] logits = sequence.start(promptIds);
        while (true) {
            GenerationState.Step step = state.next(logits);
            if (!step.text().isEmpty() && !sink.accept(step.text())) {
                if (!step.finished()) state.cancel();
                return;
            }
            if (step.finished()) return;
            logits = sequence.append(step.token());
        }
    }

    @Override
    public synchronized void close() {
        if (sequence != null) sequence.close();
        sequence = null;
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new CodellmException("could not close model: " + e.getMessage(), e);
            }
        }
    }
}
