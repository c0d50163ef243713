package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.core.ModelInfo;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.Session;
import java.util.Locale;

/**
 * What {@link GeneratorOptions} make of a loaded model: the context and KV type of each sequence,
 * the request planner (template, infill format, name) and a one-line summary. The one place these
 * are decided, for {@link LocalGenerator#open} and for the server's batching engine alike.
 * {@code note} is the one line said when the context was lowered to fit memory, else null.
 */
public record EngineSetup(LoadedModel loaded, RequestPlanner planner, int contextLength, KvType kvType, String summary, String note) {

    public static EngineSetup of(LoadedModel loaded, GeneratorOptions options) {
        var model = loaded.model();
        var tokenizer = loaded.tokenizer();
        var file = loaded.file();
        int modelVocab = model.config().vocabSize();
        if (modelVocab != tokenizer.vocabSize()) {
            throw new CodellmException(file.path() + ": the model has " + modelVocab + " output logits but its tokenizer has "
                    + tokenizer.vocabSize() + " tokens");
        }
        int trained = model.config().contextLength();
        KvType kv = KvType.parse(options.kvType());
        kv.check(model.config());  // a head that does not split into q8_0 blocks is refused here, before any request
        // the model's trained length unless --ctx says otherwise, lowered (with a note) to what memory holds
        KvBudget.Decision fit = KvBudget.decide(model.config(), kv, trained, options.contextLength(), options.slots(), KvBudget.availableBytes());
        int ctx = fit.contextLength();
        if (fit.note() != null) System.err.println("codellm: " + fit.note());
        String fileTemplate = file.optString(dev.codellm.model.tokenizer.TokenizerGguf.CHAT_TEMPLATE, null);
        ChatTemplate template = ChatTemplates.choose(options.template(), fileTemplate);
        boolean templateFromFile = (options.template() == null || options.template().isBlank()) && fileTemplate != null && !fileTemplate.isBlank();
        boolean infill = tokenizer.fimPrefix().isPresent() && tokenizer.fimSuffix().isPresent() && tokenizer.fimMiddle().isPresent();
        String name = file.optString("general.name", stripExtension(file.path().getFileName().toString()));
        long kvBytes = Session.bytes(model.config(), ctx, kv);
        String kvText = String.format(Locale.ROOT, "%s %.1f MiB", kv, kvBytes / 1048576.0)
                + (options.slots() > 1 ? String.format(Locale.ROOT, " per slot, %d slots %.1f MiB", options.slots(), options.slots() * kvBytes / 1048576.0) : "");
        String summary = String.format(Locale.ROOT, "%s: %d layers, dim %d, %s weights, context %d (trained %d), KV cache %s, template %s%s",
                name, model.config().layers(), model.config().dim(), model.weightTypeName(), ctx, trained, kvText,
                template.name() + (templateFromFile ? " (the file's)" : ""), infill ? ", infill" : "")
                + (options.rope().isNone() ? "" : ", RoPE " + dev.codellm.model.llama.RopeOverrides.describe(model.config()) + " (set by flags)")
                + (options.contextShift().enabled() ? ", context shift (keep " + options.contextShift().keep() + ")" : "");
        RequestPlanner planner = new RequestPlanner(new TokenizerCodec(tokenizer), new ModelInfo(name, ctx, infill, template.name()),
                template, options.infillFormat(), options.contextShift());
        return new EngineSetup(loaded, planner, ctx, kv, summary, fit.note());
    }

    /** A pool of KV caches of this setup's context and type (see {@link KvCachePool}). */
    public KvCachePool newCachePool() {
        return new KvCachePool(loaded.model(), contextLength, kvType);
    }

    /** Embeddings of this model on their own KV cache of this setup's context (see {@link TextEmbedder}). */
    public TextEmbedder newEmbedder() {
        return new TextEmbedder(loaded.model(), loaded.tokenizer(), contextLength, kvType);
    }

    public ModelInfo info() { return planner.info(); }

    private static String stripExtension(String s) {
        return s.endsWith(".gguf") ? s.substring(0, s.length() - 5) : s;
    }
}
