package dev.codellm.server;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.ModelInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import dev.codellm.model.generate.ChatTemplate;
import dev.codellm.model.generate.InfillFormat;
import dev.codellm.model.generate.PlannedPrompt;
import dev.codellm.model.generate.PromptPart;
import dev.codellm.model.generate.RequestPlanner;
import dev.codellm.model.generate.TokenCodec;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in model for scheduler and HTTP tests. Tokens 0..255 are bytes, then BOS,
 * EOS and the FIM tokens. Whatever the prompt, it answers {@link #answer(int[])}: " #" + the sum
 * of the prompt's token ids mod 1000 + a fixed tail with multi-byte UTF-8, then EOS — so every
 * request's expected output can be computed independently, and mixed-up slots would show. Its
 * logits are one-hot ({@link #LOGIT} for the answer's next byte, 0 elsewhere); sampling, stop
 * strings and limits are the generation module's real {@link GenerationState}. Decode steps sleep
 * {@code stepBaseMicros + stepPerSeqMicros × batch} to model weight streaming shared by a batch.
 */
final class FakeBatchBackend implements BatchBackend {
    static final int BOS = 256, EOS = 257, PRE = 258, SUF = 259, MID = 260, VOCAB = 261;
    static final String TAIL = " Hello, wörld €!";
    /** The answer's logit (all others 0): high enough that even temperature-1 sampling never strays (p ≈ 1 − 2e-11). */
    static final float LOGIT = 30f;

    private final ModelInfo info;
    private final int tailRepeats;
    private final String tail;
    private final RequestPlanner planner;
    private final long stepBaseMicros;
    private final long stepPerSeqMicros;
    final AtomicInteger liveSequences = new AtomicInteger();
    final AtomicInteger maxBatch = new AtomicInteger();
    final AtomicInteger steps = new AtomicInteger();
    final AtomicInteger prefillCalls = new AtomicInteger();

    FakeBatchBackend(int contextLength, long stepBaseMicros, long stepPerSeqMicros) {
        this(contextLength, stepBaseMicros, stepPerSeqMicros, 1);
    }

    /** @param tailRepeats how many times the answer repeats its tail (longer answers keep slots busy) */
    FakeBatchBackend(int contextLength, long stepBaseMicros, long stepPerSeqMicros, int tailRepeats) {
        this(contextLength, stepBaseMicros, stepPerSeqMicros, tailRepeats, TAIL);
    }

    /** @param tail the text the answer repeats after " #sum" (e.g. markdown, or markup that must stay text) */
    FakeBatchBackend(int contextLength, long stepBaseMicros, long stepPerSeqMicros, int tailRepeats, String tail) {
        this.tailRepeats = tailRepeats;
        this.tail = tail;
        this.info = new ModelInfo("fake-model", contextLength, true, "fake");
        this.stepBaseMicros = stepBaseMicros;
        this.stepPerSeqMicros = stepPerSeqMicros;
        this.planner = new RequestPlanner(codec, info, TEMPLATE, InfillFormat.PSM);
    }

    /** What the fake generates after {@code prompt} (as text, before EOS). */
    static String answer(int[] prompt) {
        return answer(prompt, 1);
    }

    static String answer(int[] prompt, int tailRepeats) {
        return answer(prompt, tailRepeats, TAIL);
    }

    static String answer(int[] prompt, int tailRepeats, String tail) {
        long sum = 0;
        for (int t : prompt) sum += t;
        return " #" + (sum % 1000) + tail.repeat(tailRepeats);
    }

    /**
     * What a chat answer shows: the answer without its leading space, which the model module's
     * planner drops from chat answers (Code Llama's chat decode), though it was generated.
     */
    static String chatAnswer(int[] prompt, int tailRepeats) {
        return answer(prompt, tailRepeats).substring(1);
    }

    static int[] bytes(String s, boolean bos) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[b.length + (bos ? 1 : 0)];
        int i = 0;
        if (bos) out[i++] = BOS;
        for (byte x : b) out[i++] = x & 0xff;
        return out;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) for (int t : p) out[i++] = t;
        return out;
    }

    @Override public ModelInfo info() { return info; }
    @Override public int vocabSize() { return VOCAB; }
    @Override public int[] encode(String text, boolean addBos, boolean parseSpecial) { return bytes(text, addBos); }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int t : tokens) {
            if (t < 0 || t >= VOCAB) throw new IllegalArgumentException("token id " + t + " out of range");
            if (t < 256) out.write(t);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int token) {
        return switch (token) {
            case BOS -> "<s>";
            case EOS -> "</s>";
            case PRE -> "<PRE>";
            case SUF -> "<SUF>";
            case MID -> "<MID>";
            default -> token < 128 ? String.valueOf((char) token) : String.format("<0x%02X>", token);
        };
    }

    int[] completionPrompt(String prompt) { return bytes(prompt, true); }

    int[] infillPrompt(String prefix, String suffix) {
        return concat(new int[] {BOS, PRE}, bytes(prefix, false), new int[] {SUF}, bytes(suffix, false), new int[] {MID});
    }

    /** Renders "[role]: content\n" per message, then "[assistant]:" (and " " + a trailing assistant message's content). */
    int[] chatPrompt(List<ChatMessage> messages) {
        // a trailing assistant message is a prefill: the answer continues it
        boolean prefill = messages.get(messages.size() - 1).role().equals("assistant");
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : prefill ? messages.subList(0, messages.size() - 1) : messages)
            sb.append('[').append(m.role()).append("]: ").append(m.content()).append('\n');
        sb.append("[assistant]:");
        if (prefill) sb.append(' ').append(messages.get(messages.size() - 1).content());
        return bytes(sb.toString(), true);
    }

    /**
     * The model module's real planner over the fake's byte codec: BOS + bytes, Code Llama's PSM
     * infill format with the fake's FIM tokens, and a chat template rendering {@link #chatPrompt};
     * so requests get the real generation state (sampler, stop strings, limits).
     */
    @Override
    public RequestPlanner planner() { return planner; }

    /** A plan of raw ids that skips the planner's context check (for testing the scheduler's own). */
    PlannedPrompt unchecked(int[] ids) {
        return new RequestPlanner(codec, new ModelInfo("fake-model", Integer.MAX_VALUE, true, "fake"), TEMPLATE, InfillFormat.PSM).plan(ids);
    }

    /** Renders like {@link #chatPrompt} (a Jinja template, rendered by the model module as any GGUF's). */
    static final ChatTemplate TEMPLATE = new ChatTemplate("fake",
            "{{ bos_token }}{% for m in messages %}[{{ m.role }}]: {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]:{% endif %}",
            List.of(), List.of());

    /** Bytes as tokens; holds back incomplete UTF-8 like the real streaming decoder. */
    final TokenCodec codec = new TokenCodec() {
        @Override public int[] encode(String text, boolean parseSpecial) { return bytes(text, false); }
        @Override public int vocabSize() { return VOCAB; }
        @Override public int bos() { return BOS; }
        @Override public int eos() { return EOS; }
        @Override public OptionalInt specialId(String name) { return OptionalInt.empty(); }

        @Override
        public OptionalInt fim(PromptPart.FimToken token) {
            return switch (token) {
                case PRE -> OptionalInt.of(FakeBatchBackend.PRE);
                case SUF -> OptionalInt.of(FakeBatchBackend.SUF);
                case MID -> OptionalInt.of(FakeBatchBackend.MID);
                case EOT -> OptionalInt.empty();
            };
        }

        @Override public boolean isEndOfGeneration(int id) { return id == EOS; }
        @Override public String piece(int id) { return FakeBatchBackend.this.piece(id); }

        @Override
        public TokenCodec.TextDecoder newDecoder() {
            return new TokenCodec.TextDecoder() {
                final ByteArrayOutputStream pending = new ByteArrayOutputStream();

                @Override
                public String accept(int token) {
                    if (token >= 256) return "";
                    pending.write(token);
                    byte[] b = pending.toByteArray();
                    int complete = completeUtf8Length(b);
                    String out = new String(b, 0, complete, StandardCharsets.UTF_8);
                    pending.reset();
                    pending.write(b, complete, b.length - complete);
                    return out;
                }

                @Override
                public String flush() {
                    String out = pending.toString(StandardCharsets.UTF_8);
                    pending.reset();
                    return out;
                }
            };
        }
    };

    static int completeUtf8Length(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xff;
            int len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            if (i + len > b.length) return i;
            i += len;
        }
        return i;
    }

    final class Seq implements Sequence {
        final List<Integer> tokens = new ArrayList<>();
        byte[] script;
        int promptLength;
        boolean released;

        @Override
        public void release() {
            if (released) throw new IllegalStateException("sequence released twice");
            released = true;
            liveSequences.decrementAndGet();
        }

        void append(int token) {
            if (released) throw new IllegalStateException("use of a released sequence");
            if (tokens.size() >= info.contextLength()) throw new IllegalStateException("context overflow");
            tokens.add(token);
        }

        float[] logits() {
            int k = generatedCount();
            float[] l = new float[VOCAB];
            l[k < script.length ? script[k] & 0xff : EOS] = LOGIT;
            return l;
        }

        int generatedCount() { return tokens.size() - promptLength; }
    }

    /** Dimensions of the fake's embeddings. */
    static final int EMBEDDING_DIM = 16;

    /**
     * The fake's embedding of a token sequence, computed independently of the server: how often
     * each id mod 16 occurs, scaled to unit length.
     */
    static float[] embedding(int[] tokens) {
        double[] v = new double[EMBEDDING_DIM];
        for (int t : tokens) v[t % EMBEDDING_DIM]++;
        double n = 0;
        for (double x : v) n += x * x;
        float[] out = new float[EMBEDDING_DIM];
        for (int i = 0; i < out.length; i++) out[i] = (float) (v[i] / Math.sqrt(n));
        return out;
    }

    final AtomicInteger embedCalls = new AtomicInteger();

    @Override
    public Embeddings embeddings() {
        return new Embeddings() {
            @Override public int[] tokens(String text) { return bytes(text, true); }
            @Override public float[] embed(int[] tokens) {
                embedCalls.incrementAndGet();
                sleepMicros(stepBaseMicros);
                return embedding(tokens);
            }
            @Override public int dimension() { return EMBEDDING_DIM; }
        };
    }

    @Override
    public Sequence newSequence(int[] prompt) {
        liveSequences.incrementAndGet();
        return new Seq();
    }

    @Override
    public float[] prefill(Sequence seq, int[] tokens) {
        Seq s = (Seq) seq;
        for (int t : tokens) s.append(t);
        prefillCalls.incrementAndGet();
        s.promptLength = s.tokens.size();
        int[] prompt = s.tokens.stream().mapToInt(Integer::intValue).toArray();
        s.script = answer(prompt, tailRepeats, tail).getBytes(StandardCharsets.UTF_8);
        return s.logits();
    }

    @Override
    public float[][] decode(Sequence[] seqs, int[] tokens) {
        maxBatch.accumulateAndGet(seqs.length, Math::max);
        steps.incrementAndGet();
        sleepMicros(stepBaseMicros + stepPerSeqMicros * seqs.length);
        float[][] out = new float[seqs.length][];
        for (int i = 0; i < seqs.length; i++) {
            Seq s = (Seq) seqs[i];
            s.append(tokens[i]);
            out[i] = s.logits();
        }
        return out;
    }

    /** One {@link #step} as the scheduler made it: how many sequences decoded, prompt tokens run per prompt sequence. */
    record StepRecord(int decoded, List<Integer> promptChunks) {}

    /** Every {@link #step}, in order (the scheduler's interleaving of prompts and decodes). */
    final List<StepRecord> stepLog = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * The mixed step: a sequence whose prompt is still being read (no answer script yet) appends
     * its chunk, and with {@code wantLogits} its prompt is complete; the others decode one token.
     * Sleeps like one {@link #decode} of the decoding sequences (a prompt alone, not at all).
     */
    @Override
    public float[][] step(Sequence[] seqs, int[][] tokens, boolean[] wantLogits) {
        float[][] out = new float[seqs.length][];
        int decoded = 0;
        List<Integer> chunks = new ArrayList<>();
        for (int i = 0; i < seqs.length; i++) {
            Seq s = (Seq) seqs[i];
            if (s.script == null) {
                for (int t : tokens[i]) s.append(t);
                prefillCalls.incrementAndGet();
                chunks.add(tokens[i].length);
                if (wantLogits[i]) {
                    s.promptLength = s.tokens.size();
                    int[] prompt = s.tokens.stream().mapToInt(Integer::intValue).toArray();
                    s.script = answer(prompt, tailRepeats, tail).getBytes(StandardCharsets.UTF_8);
                    out[i] = s.logits();
                }
            } else {
                if (tokens[i].length != 1) throw new IllegalStateException("a generating sequence gets one token per step");
                s.append(tokens[i][0]);
                out[i] = s.logits();
                decoded++;
            }
        }
        if (decoded > 0) {
            maxBatch.accumulateAndGet(decoded, Math::max);
            steps.incrementAndGet();
        }
        stepLog.add(new StepRecord(decoded, List.copyOf(chunks)));
        if (decoded > 0) sleepMicros(stepBaseMicros + stepPerSeqMicros * decoded);
        return out;
    }

    private static void sleepMicros(long micros) {
        if (micros <= 0) return;
        try {
            Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
