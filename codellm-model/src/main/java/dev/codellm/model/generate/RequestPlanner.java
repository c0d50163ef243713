package dev.codellm.model.generate;

import dev.codellm.core.ChatRequest;
import dev.codellm.core.CodellmException;
import dev.codellm.core.CompletionRequest;
import dev.codellm.core.GenerationRequest;
import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.PromptPart.FimToken;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place a request becomes prompt ids and stop rules ({@link PlannedPrompt}): BOS + text
 * for a completion, the model's infill format for a completion with a suffix, the chat template
 * for a chat. {@link LocalGenerator} and the server's batching engine both plan through it, so a
 * request runs the same whichever of them serves it.
 */
public final class RequestPlanner {
    private final TokenCodec codec;
    private final ModelInfo info;
    private final ChatTemplate template;
    private final InfillFormat infillFormat;
    private final PromptEncoder encoder;
    private final ContextShift shift;

    public RequestPlanner(TokenCodec codec, ModelInfo info, ChatTemplate template, InfillFormat infillFormat) {
        this(codec, info, template, infillFormat, ContextShift.OFF);
    }

    /** A planner whose prompts shift the context at its end ({@link ContextShift}) instead of stopping there. */
    public RequestPlanner(TokenCodec codec, ModelInfo info, ChatTemplate template, InfillFormat infillFormat, ContextShift shift) {
        this.shift = shift;
        this.codec = codec;
        this.info = info;
        this.template = template;
        this.infillFormat = infillFormat;
        this.encoder = new PromptEncoder(codec);
    }

    public ModelInfo info() { return info; }

    public TokenCodec codec() { return codec; }

    public ChatTemplate template() { return template; }

    public ContextShift contextShift() { return shift; }

    /** This planner keeping {@code keep} tokens when the context shifts (a request's n_keep); itself when shift is off. */
    public RequestPlanner withKeep(int keep) {
        if (!shift.enabled() || keep == shift.keep()) return this;
        return new RequestPlanner(codec, info, template, infillFormat, ContextShift.keeping(keep));
    }

    /** Plans either kind of request. */
    public PlannedPrompt plan(GenerationRequest request) {
        return switch (request) {
            case CompletionRequest c -> plan(c);
            case ChatRequest c -> plan(c);
        };
    }

    /** A completion or, with a suffix, an infill; fails when the model cannot infill or the prompt overflows the context. */
    public PlannedPrompt plan(CompletionRequest request) {
        requireInfillSupport(request); // before building the prompt, whose infill format would fail less clearly
        Set<Integer> stopIds = new HashSet<>();
        if (request.isInfill()) codec.fim(FimToken.EOT).ifPresent(stopIds::add);
        return planned(promptIds(request), stopIds, List.of(), false, !request.isInfill());
    }

    /** A chat rendered with the model's template. */
    public PlannedPrompt plan(ChatRequest request) {
        Set<Integer> stopIds = new HashSet<>();
        for (String name : template.stopTokens()) codec.specialId(name).ifPresent(stopIds::add);
        // Code Llama's chat decode drops the answer's leading dummy space; after a prefill it is real text.
        boolean strip = request.prefill() == null || request.prefill().isEmpty();
        return planned(promptIds(request), stopIds, template.stopStrings(), strip, true);
    }

    /** Raw prompt ids (no template, no BOS added), as {@code complete --ids} and token-array prompts use. */
    public PlannedPrompt plan(int[] promptIds) {
        return planned(promptIds.clone(), Set.of(), List.of(), false, true);
    }

    /** The prompt ids a completion or infill request is turned into. */
    public int[] promptIds(CompletionRequest request) {
        return encoder.encode(prompt(request));
    }

    /** The prompt ids of a chat request, rendered with the model's template (a trailing assistant message is a prefill). */
    public int[] promptIds(ChatRequest request) {
        return encoder.encode(template.render(request.messages()));
    }

    /**
     * The chat prompt as text (llama-server's {@code /apply-template}): the template's rendering
     * with BOS/EOS spelled as the tokenizer's pieces, as a Jinja template would write them.
     */
    public String renderChat(ChatRequest request) {
        Prompt p = template.render(request.messages());
        StringBuilder sb = new StringBuilder();
        for (PromptPart part : p.parts()) {
            switch (part) {
                case PromptPart.Bos b -> { if (codec.addsBos()) sb.append(codec.piece(codec.bos())); }
                case PromptPart.Eos e -> sb.append(codec.piece(codec.eos()));
                case PromptPart.Fim f -> codec.fim(f.token()).ifPresent(id -> sb.append(codec.piece(id)));
                case PromptPart.Text t -> sb.append(t.text());
                case PromptPart.RawText r -> sb.append(r.text());
            }
        }
        return sb.toString();
    }

    Prompt prompt(CompletionRequest request) {
        if (request.isInfill()) return infillFormat.prompt(request.prompt(), request.suffix());
        return Prompt.builder().bos().text(request.prompt()).build();
    }

    private void requireInfillSupport(CompletionRequest request) {
        if (request.isInfill() && !info.supportsInfill()) {
            throw new CodellmException("model " + info.name() + " cannot infill: its vocabulary has no <PRE>/<SUF>/<MID>/<EOT> tokens");
        }
    }

    /**
     * @param cuttable whether a prompt over the context may be cut when context shift is on (not an
     *                 infill prompt, whose prefix/suffix markers a cut could drop)
     */
    private PlannedPrompt planned(int[] promptIds, Set<Integer> stopIds, List<String> stopStrings, boolean strip, boolean cuttable) {
        int ctx = info.contextLength();
        if (promptIds.length == 0) throw new CodellmException("empty prompt: nothing to condition on (the model's vocabulary adds no BOS)");
        if (!shift.enabled()) {
            if (promptIds.length > ctx) throw new PromptTooLongException(promptIds.length, ctx);
            return new PlannedPrompt(codec, promptIds, ctx, stopIds, stopStrings, strip, -1, false);
        }
        int keep = shift.keepFor(promptIds, codec.bos(), ctx);
        int[] ids = promptIds;
        if (promptIds.length >= ctx) {
            if (!cuttable) throw new PromptTooLongException(promptIds.length, ctx);
            ids = ContextShift.truncate(promptIds, keep, ctx);
        }
        // No capacity limit: the runner shifts the cache when it is full.
        return new PlannedPrompt(codec, ids, Integer.MAX_VALUE, stopIds, stopStrings, strip, keep, ids != promptIds);
    }
}
