package dev.codellm.train.data;

import dev.codellm.core.IntList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.CodellmException;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Supervised fine-tuning rows from instruction jsonl: OpenAI {@code messages} records or Alpaca
 * {@code instruction/input/output} records, rendered with the Llama 2 / Code Llama Instruct
 * template; only assistant tokens (and their closing &lt;/s&gt;) carry loss. One record per row,
 * truncated to the sequence length; epochs are reshuffled with the seed.
 */
public final class SftSource implements ExampleSource {
    public record Turn(String role, String content) {}

    private final List<Example> rows = new ArrayList<>();
    private final long seed;
    private List<Integer> order;
    private int orderEpoch = -1;

    public SftSource(List<List<Turn>> conversations, Tokenizer tok, int seqLen, long seed) {
        this.seed = seed;
        SpecialTokens sp = tok.specialTokens();
        for (List<Turn> conv : conversations) {
            Example e = render(conv, tok, sp, seqLen);
            if (e.weightSum() > 0) rows.add(e);
        }
        if (rows.isEmpty()) throw new CodellmException("no instruction records with an assistant reply inside the sequence length");
    }

    @Override public long size() { return rows.size(); }

    @Override
    public synchronized Example get(long index) {
        int epoch = (int) (index / rows.size());
        if (epoch != orderEpoch) {
            List<Integer> o = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) o.add(i);
            Collections.shuffle(o, new Random(seed * 31 + epoch));
            order = o;
            orderEpoch = epoch;
        }
        return rows.get(order.get((int) (index % rows.size())));
    }

    /** {@code <s>[INST] <<SYS>>\nsys\n<</SYS>>\n\nuser [/INST] answer </s>} per exchange. */
    static Example render(List<Turn> conv, Tokenizer tok, SpecialTokens sp, int seqLen) {
        IntList ids = new IntList();
        List<Boolean> loss = new ArrayList<>();
        String system = null;
        boolean first = true;
        String pendingUser = null;
        for (Turn t : conv) {
            switch (t.role()) {
                case "system" -> system = t.content();
                case "user" -> pendingUser = t.content();
                case "assistant" -> {
                    if (pendingUser == null) continue;
                    String user = first && system != null && !system.isBlank() ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + pendingUser : pendingUser;
                    add(ids, loss, new int[] {sp.require("bos")}, false);
                    add(ids, loss, tok.encode("[INST] " + user.strip() + " [/INST]"), false);
                    add(ids, loss, afterSpace(tok, t.content().strip() + " "), true);
                    add(ids, loss, new int[] {sp.require("eos")}, true);
                    pendingUser = null;
                    first = false;
                }
                default -> throw new CodellmException("unknown message role '" + t.role() + "' (expected system, user or assistant)");
            }
        }
        int n = Math.min(seqLen, ids.size() - 1);
        int[] tokens = new int[seqLen], targets = new int[seqLen];
        float[] w = new float[seqLen];
        for (int i = 0; i < n; i++) {
            tokens[i] = ids.get(i);
            targets[i] = ids.get(i + 1);
            w[i] = loss.get(i + 1) ? 1f : 0f;
        }
        return new Example(tokens, targets, w, Math.max(n, 1));
    }

    /**
     * The ids of {@code " " + text}, continuing earlier text: SentencePiece's encoder writes that
     * space itself (its dummy prefix), so it is given the text alone; byte-level BPE gets the space.
     */
    private static int[] afterSpace(Tokenizer tok, String text) {
        return tok.encode(tok.kind() == Tokenizer.Kind.SENTENCEPIECE ? text : " " + text);
    }

    private static void add(IntList ids, List<Boolean> loss, int[] part, boolean isLoss) {
        ids.addAll(part);
        for (int i = 0; i < part.length; i++) loss.add(isLoss);
    }

    /** Reads messages or Alpaca jsonl; a malformed line fails with its line number. */
    public static List<List<Turn>> readJsonl(Path file) {
        ObjectMapper om = new ObjectMapper();
        List<List<Turn>> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) continue;
                JsonNode n;
                try { n = om.readTree(line); } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new CodellmException(file + ":" + no + ": malformed JSON: " + e.getOriginalMessage());
                }
                out.add(conversation(n, file + ":" + no));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CodellmException("file not found: " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.isEmpty()) throw new CodellmException(file + ": no records");
        return out;
    }

    static List<Turn> conversation(JsonNode n, String where) {
        List<Turn> turns = new ArrayList<>();
        if (n.has("messages")) {
            for (JsonNode m : n.get("messages")) {
                if (!m.has("role") || !m.has("content")) throw new CodellmException(where + ": message without role/content");
                turns.add(new Turn(m.get("role").asText(), m.get("content").asText()));
            }
        } else if (n.has("instruction") && n.has("output")) {
            String input = n.path("input").asText("");
            turns.add(new Turn("user", input.isBlank() ? n.get("instruction").asText() : n.get("instruction").asText() + "\n\n" + input));
            turns.add(new Turn("assistant", n.get("output").asText()));
        } else {
            throw new CodellmException(where + ": expected a 'messages' list or Alpaca 'instruction'/'output' fields");
        }
        return turns;
    }

    /** True when the file's first record looks like instruction data (messages or Alpaca). */
    public static boolean looksLikeInstructions(Path file) {
        if (!file.toString().endsWith(".jsonl")) return false;
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                JsonNode n = new ObjectMapper().readTree(line);
                return n.has("messages") || n.has("instruction");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
