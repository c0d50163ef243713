package dev.codellm.server;

import dev.codellm.core.ModelInfo;
import dev.codellm.model.generate.EngineSetup;
import dev.codellm.model.gguf.GgufFile;
import dev.codellm.model.gguf.GgufTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server tells clients about the one model it serves, in every dialect: its names
 * ({@code --alias}es, else the GGUF name), the file, its size and shape, and the metadata that
 * {@code /props}, {@code /api/show} and {@code /api/tags} report.
 *
 * @param names           the names {@code /v1/models} and {@code /api/tags} list (first is the primary one)
 * @param file            the GGUF file, or null for a backend without one (tests, a remote generator)
 * @param metadata        GGUF key/value pairs with scalar values (arrays such as the vocabulary left out)
 * @param chatTemplate    the file's Jinja {@code tokenizer.chat_template}, else the built-in template's name
 * @param parameterCount  total weights (elements of all tensors), 0 when unknown
 * @param quantization    the weights' type as ollama names it (e.g. {@code Q4_0}), or null
 * @param kvCacheType     the KV cache's element type ({@code f16}, {@code q8_0}, …), or null for a backend without one
 */
public record ServedModel(List<String> names, ModelInfo info, Path file, long sizeBytes, Instant modified,
                          Map<String, Object> metadata, String chatTemplate, String bosToken, String eosToken,
                          long parameterCount, String quantization, boolean embeddings, String kvCacheType) {

    public String name() { return names.get(0); }

    /** Whether the file carries a chat template of its own (an instruct model; ollama's generate then templates the prompt). */
    public boolean hasChatTemplate() { return metadata.containsKey("tokenizer.chat_template"); }

    /** A backend known only by its {@link ModelInfo}. */
    public static ServedModel of(ModelInfo info, List<String> aliases, boolean embeddings) {
        return new ServedModel(names(info, aliases), info, null, 0, Instant.EPOCH, Map.of(),
                info.chatTemplate(), "", "", 0, null, embeddings, null);
    }

    /** The engine's loaded GGUF file. */
    public static ServedModel of(EngineBatchBackend engine, List<String> aliases) {
        EngineSetup setup = engine.setup();
        GgufFile f = setup.loaded().file();
        Map<String, Object> meta = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> {
            if (v instanceof Number || v instanceof String || v instanceof Boolean) meta.put(k, v);
        });
        long params = 0;
        for (GgufTensor t : f.tensors()) params += t.elementCount();
        Instant modified;
        try {
            modified = Files.getLastModifiedTime(f.path()).toInstant();
        } catch (java.io.IOException e) {
            modified = Instant.EPOCH;
        }
        var tok = setup.loaded().tokenizer();
        var codec = setup.planner().codec();
        String bos = tok.bos().isPresent() ? codec.piece(tok.bos().getAsInt()) : "";
        String eos = tok.eos().isPresent() ? codec.piece(tok.eos().getAsInt()) : "";
        String template = f.optString("tokenizer.chat_template", setup.info().chatTemplate());
        return new ServedModel(names(setup.info(), aliases), setup.info(), f.path(), f.fileSize(), modified, Map.copyOf(meta),
                template, bos, eos, params, setup.loaded().model().weightTypeName().toUpperCase(java.util.Locale.ROOT), true,
                setup.kvType().flagName());
    }

    private static List<String> names(ModelInfo info, List<String> aliases) {
        return aliases == null || aliases.isEmpty() ? List.of(info.name()) : List.copyOf(aliases);
    }

    /** The server's version, as /props' build_info and /api/version report it. */
    public static String version() {
        String v = ServedModel.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    /** Which matmul kernels run (for /props): the native variant (amx, avx512, avx2) or java. */
    public static String kernels() {
        return dev.codellm.model.generate.LoadedModel.kernelsIsa();
    }

    /** "7B", "1.1B", "260K": how ollama's details.parameter_size reads. */
    public String parameterSize() {
        long n = parameterCount;
        if (n <= 0) return "";
        if (n >= 1_000_000_000L) return trim(n / 1e9) + "B";
        if (n >= 1_000_000L) return trim(n / 1e6) + "M";
        return trim(n / 1e3) + "K";
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
