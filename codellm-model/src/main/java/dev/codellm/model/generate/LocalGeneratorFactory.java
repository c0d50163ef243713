package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.core.ModelInfo;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaModel;
import dev.codellm.model.llama.Session;
import dev.codellm.model.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Locale;

/** Builds a {@link LocalGenerator} from a GGUF file: tokenizer, engine, template, context. */
final class LocalGeneratorFactory {
    /** Default context when none is asked for: the trained length, capped so the KV cache stays modest. */
    static final int DEFAULT_CONTEXT_CAP = 4096;

    private LocalGeneratorFactory() {}

    static LocalGenerator open(Path path, GeneratorOptions options) {
        LoadedModel loaded = LoadedModel.open(path, options);
        try {
            return create(loaded.file(), loaded.model(), loaded.tokenizer(), options, loaded);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    static LocalGenerator create(GgufFile file, LlamaModel model, Tokenizer tokenizer, GeneratorOptions options, AutoCloseable resources) {
        int modelVocab = model.config().vocabSize();
        if (modelVocab != tokenizer.vocabSize()) {
            throw new CodellmException(file.path() + ": the model has " + modelVocab + " output logits but its tokenizer has "
                    + tokenizer.vocabSize() + " tokens");
        }
        int trained = model.config().contextLength();
        int ctx = options.contextLength() > 0 ? options.contextLength() : Math.min(trained, DEFAULT_CONTEXT_CAP);
        KvType kv = KvType.parse(options.kvType());
        String fileTemplate = file.optString("tokenizer.chat_template", null);
        ChatTemplate template = ChatTemplates.choose(options.template(), fileTemplate);
        boolean templateFromFile = (options.template() == null || options.template().isBlank()) && fileTemplate != null && !fileTemplate.isBlank();
        boolean infill = tokenizer.fimPrefix().isPresent() && tokenizer.fimSuffix().isPresent() && tokenizer.fimMiddle().isPresent();
        String name = file.optString("general.name", stripExtension(file.path().getFileName().toString()));
        long kvBytes = Session.bytes(model.config(), ctx, kv);
        String summary = String.format(Locale.ROOT, "%s: %d layers, dim %d, %s weights, context %d (trained %d), KV cache %s %.1f MiB, template %s%s",
                name, model.config().layers(), model.config().dim(), model.weightTypeName(), ctx, trained, kv,
                kvBytes / 1048576.0, template.name() + (templateFromFile ? " (the file's)" : ""), infill ? ", infill" : "");
        return new LocalGenerator(new TokenizerCodec(tokenizer), n -> new EngineSequenceModel(model, n, kv),
                new ModelInfo(name, ctx, infill, template.name()), template, options.infillFormat(), resources, summary);
    }

    private static String stripExtension(String s) {
        return s.endsWith(".gguf") ? s.substring(0, s.length() - 5) : s;
    }
}
