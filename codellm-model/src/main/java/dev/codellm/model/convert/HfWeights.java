package dev.codellm.model.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The weights of a Hugging Face model directory, every tensor by its HF name, memory-mapped from
 * {@code model.safetensors}, or from the shards {@code model.safetensors.index.json} lists (a shard
 * it names that is missing, or a tensor it places in a shard that lacks it, is one error).
 */
public final class HfWeights implements AutoCloseable {
    private final List<Safetensors> files;
    private final Map<String, Safetensors.Entry> tensors;

    private HfWeights(List<Safetensors> files, Map<String, Safetensors.Entry> tensors) {
        this.files = files;
        this.tensors = tensors;
    }

    public static HfWeights open(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> shards = new ArrayList<>();
        Map<String, String> placed = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map = Json.read(index).path("weight_map");
            if (!map.isObject() || map.isEmpty()) throw new CodellmException(index + ": no weight_map");
            Set<String> names = new LinkedHashSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                placed.put(e.getKey(), e.getValue().asText());
                names.add(e.getValue().asText());
            }
            for (String n : names) {
                Path p = dir.resolve(n).normalize();
                if (!p.startsWith(dir.normalize())) throw new CodellmException(index + ": shard name '" + n + "' leaves the model directory");
                if (!Files.isRegularFile(p)) throw new CodellmException(index + ": shard " + n + " is missing (incomplete download?)");
                shards.add(p);
            }
        } else if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            shards.add(dir.resolve("model.safetensors"));
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                shards.addAll(s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList());
            } catch (IOException e) {
                throw new CodellmException("cannot list " + dir + ": " + e.getMessage());
            }
            if (shards.isEmpty()) throw new CodellmException(dir + ": " + missingWeights(dir));
        }
        List<Safetensors> open = new ArrayList<>();
        Map<String, Safetensors.Entry> all = new LinkedHashMap<>();
        try {
            for (Path p : shards) {
                Safetensors st = Safetensors.open(p);
                open.add(st);
                for (Safetensors.Entry e : st.entries().values()) {
                    if (all.put(e.name(), e) != null) throw new CodellmException(p + ": tensor " + e.name() + " is also in another shard");
                    String want = placed.get(e.name());
                    if (want != null && !dir.resolve(want).normalize().equals(p.normalize()))
                        throw new CodellmException(p + ": tensor " + e.name() + " belongs to " + want + " according to the index");
                }
            }
            for (Map.Entry<String, String> e : placed.entrySet())
                if (!all.containsKey(e.getKey())) throw new CodellmException(dir.resolve(e.getValue()) + ": tensor " + e.getKey() + " listed in the index is missing");
        } catch (RuntimeException e) {
            open.forEach(Safetensors::close);
            throw e;
        }
        return new HfWeights(open, all);
    }

    private static String missingWeights(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            if (names.stream().anyMatch(n -> n.startsWith("consolidated.") && n.endsWith(".pth")))
                return "Meta's consolidated.*.pth layout is not read yet: convert it to safetensors first";
            if (names.stream().anyMatch(n -> n.startsWith("pytorch_model") && n.endsWith(".bin")))
                return "only pytorch_model*.bin weights (PyTorch pickles): codellm reads model.safetensors (sharded or not)";
        } catch (IOException ignored) {
            // fall through to the plain message
        }
        return "no model.safetensors, model.safetensors.index.json or *.safetensors weights";
    }

    /** Every tensor by HF name. */
    public Map<String, Safetensors.Entry> tensors() { return tensors; }

    /** Total bytes of tensor data. */
    public long bytes() { return tensors.values().stream().mapToLong(e -> e.data().byteSize()).sum(); }

    @Override
    public void close() { files.forEach(Safetensors::close); }
}
