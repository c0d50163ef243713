package dev.codellm.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.model.generate.ChatTemplate;
import dev.codellm.model.generate.LabeledIds;
import dev.codellm.model.generate.PromptEncoder;
import dev.codellm.model.generate.TokenizerCodec;
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
 * {@code instruction/input/output} records, rendered by the model module's {@link ChatTemplate}
 * (the base model's, or {@code train --template}), the same rendering inference uses: only the
 * assistant turns and their end-of-turn text carry loss. One record per row, truncated to the
 * sequence length; epochs are reshuffled with the seed.
 */
public final class SftSource implements ExampleSource {
    private final List<Example> rows = new ArrayList<>();
    private final long seed;
    private List<Integer> order;
    private int orderEpoch = -1;

    public SftSource(List<List<ChatMessage>> conversations, Tokenizer tok, ChatTemplate template, int seqLen, long seed) {
        this.seed = seed;
        PromptEncoder encoder = new PromptEncoder(new TokenizerCodec(tok));
        for (int i = 0; i < conversations.size(); i++) {
            LabeledIds ids;
            try {
                ids = encoder.encode(template.renderConversation(conversations.get(i)));
            } catch (CodellmException e) {
                throw new CodellmException("instruction record " + (i + 1) + ": " + e.getMessage(), e);
            }
            Example e = example(ids, seqLen);
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

    /** Next-token rows of a rendered conversation: the target at t is learned when id t+1 is. */
    static Example example(LabeledIds ids, int seqLen) {
        int n = Math.min(seqLen, ids.size() - 1);
        int[] tokens = new int[seqLen], targets = new int[seqLen];
        float[] w = new float[seqLen];
        for (int i = 0; i < n; i++) {
            tokens[i] = ids.ids()[i];
            targets[i] = ids.ids()[i + 1];
            w[i] = ids.learned()[i + 1] ? 1f : 0f;
        }
        return new Example(tokens, targets, w, Math.max(n, 1));
    }

    /** Reads messages or Alpaca jsonl; a malformed line fails with its line number. */
    public static List<List<ChatMessage>> readJsonl(Path file) {
        ObjectMapper om = Json.MAPPER;
        List<List<ChatMessage>> out = new ArrayList<>();
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

    /** Whether {@code n} is a record {@link #conversation} reads: messages, ShareGPT or Alpaca. */
    static boolean isInstructionRecord(JsonNode n) {
        return n.has("messages") || n.has("conversations") || n.has("instruction");
    }

    static List<ChatMessage> conversation(JsonNode n, String where) {
        List<ChatMessage> turns = new ArrayList<>();
        if (!isInstructionRecord(n)) {
            throw new CodellmException(where + ": expected a 'messages' list, ShareGPT 'conversations' or Alpaca 'instruction'/'output' fields");
        }
        if (n.has("messages")) {
            for (JsonNode m : n.get("messages")) {
                if (!m.has("role") || !m.has("content")) throw new CodellmException(where + ": message without role/content");
                turns.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
        } else if (n.has("conversations")) {
            // ShareGPT (what oss-instruct --format sharegpt writes): from human / gpt / system, value
            for (JsonNode m : n.get("conversations")) {
                String from = m.path("from").asText("");
                String role = switch (from) {
                    case "human", "user" -> "user";
                    case "gpt", "assistant" -> "assistant";
                    case "system" -> "system";
                    default -> throw new CodellmException(where + ": ShareGPT turn from '" + from + "' (expected human, gpt or system)");
                };
                if (!m.has("value")) throw new CodellmException(where + ": ShareGPT turn without a value");
                turns.add(new ChatMessage(role, m.get("value").asText()));
            }
        } else {
            if (!n.has("output")) throw new CodellmException(where + ": Alpaca record without an 'output' field");
            String input = n.path("input").asText("");
            turns.add(ChatMessage.user(input.isBlank() ? n.get("instruction").asText() : n.get("instruction").asText() + "\n\n" + input));
            turns.add(ChatMessage.assistant(n.get("output").asText()));
        }
        return turns;
    }

    /** True when the file's first record looks like instruction data (messages, ShareGPT or Alpaca). */
    public static boolean looksLikeInstructions(Path file) {
        if (!file.toString().endsWith(".jsonl")) return false;
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                JsonNode n = Json.MAPPER.readTree(line);
                return isInstructionRecord(n);
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
