package dev.codellm.model.generate;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.Completion;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.Generator;
import dev.codellm.core.ModelInfo;
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
        return ModelLoader.open(gguf, options);
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

    /** The prompt ids of a chat request, rendered with the model's template. */
    public int[] promptIds(ChatRequest request) {
        return encoder.encode(template.render(request.messages(), request.responsePrefix()));
    }

    @Override
    public synchronized Completion complete(CompletionRequest request, TokenSink sink) {
        Set<Integer> stopIds = new HashSet<>();
        if (request.isInfill()) {
            if (!info.supportsInfill()) {
                throw new CodellmException("model " + info.name() + " cannot infill: its vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens");
            }
            codec.fim(FimToken.EOT).ifPresent(stopIds::add);
        }
        return run(promptIds(request), request.sampling(), stopIds, List.of(), false, sink);
    }

    @Override
    public synchronized Completion chat(ChatRequest request, TokenSink sink) {
        Set<Integer> stopIds = new HashSet<>();
        for (String name : template.stopTokens()) codec.specialId(name).ifPresent(stopIds::add);
        boolean strip = request.responsePrefix() == null || request.responsePrefix().isEmpty();
        return run(promptIds(request), request.sampling(), stopIds, template.stopStrings(), strip, sink);
    }

    /** Generates after {@code promptIds}; also used by {@code complete --ids} to get raw ids. */
    public synchronized GenerationState generate(int[] promptIds, dev.codellm.core.SamplingParams sampling, TokenSink sink) {
        GenerationState state = new GenerationState(codec, sampling, promptIds, info.contextLength(), Set.of(), List.of(), false);
        drive(state, promptIds, sink);
        return state;
    }

    private Completion run(int[] promptIds, dev.codellm.core.SamplingParams sampling, Set<Integer> stopIds,
                           List<String> stopStrings, boolean stripLeadingSpace, TokenSink sink) {
        GenerationState state = new GenerationState(codec, sampling, promptIds, info.contextLength(), stopIds, stopStrings, stripLeadingSpace);
        drive(state, promptIds, sink);
        return new Completion(state.text(), state.finishReason(), new Usage(promptIds.length, state.generatedTokens()));
    }

    private void drive(GenerationState state, int[] promptIds, TokenSink sink) {
        int ctx = info.contextLength();
        if (promptIds.length > ctx) {
            throw new CodellmException("prompt is " + promptIds.length + " tokens but the context holds " + ctx
                    + " (use a larger --ctx or a shorter prompt)");
        }
        if (state.nothingToGenerate()) {
            state.finishNow();
            return;
        }
        if (promptIds.length == 0) throw new CodellmException("empty prompt: nothing to condition on (the model's vocabulary adds no BOS)");
        if (sequence == null) sequence = newSequence.apply(ctx);
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
