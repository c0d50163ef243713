package dev.codellm.train.data;

import dev.codellm.core.IntList;
import dev.codellm.model.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Causal-LM rows: documents are cut into pieces of at most {@code chunkChars} at line breaks,
 * shuffled (a fresh seeded order per epoch), FIM-transformed, tokenized and packed back to back
 * into one stream; row i is the window [i*T, i*T+T] of that stream. The stream is built on demand
 * and is identical on every run with the same seed, so a resumed run continues with the next row.
 */
public final class PackedLmSource implements ExampleSource {
    private final List<String> pieces = new ArrayList<>();
    private final FimTransform fim;
    private final int seqLen;
    private final long seed;
    private final IntList stream = new IntList();
    private List<Integer> order = List.of();
    private int epoch = -1, next;
    private Random fimRnd;

    public PackedLmSource(List<Corpus.Document> docs, Tokenizer tok, double fimRate, double spmRate, int seqLen, int chunkChars, long seed) {
        for (Corpus.Document d : docs) pieces.addAll(chunks(d.text(), chunkChars));
        if (pieces.isEmpty()) throw new IllegalArgumentException("no text to train on");
        this.fim = new FimTransform(tok, fimRate, spmRate);
        this.seqLen = seqLen;
        this.seed = seed;
    }

    @Override public long size() { return -1; }

    public int pieceCount() { return pieces.size(); }

    @Override
    public synchronized Example get(long index) {
        long need = (index + 1) * seqLen + 1;
        while (stream.size() < need) appendNextPiece();
        int start = Math.toIntExact(index * seqLen);
        int[] tokens = new int[seqLen], targets = new int[seqLen];
        for (int t = 0; t < seqLen; t++) { tokens[t] = stream.get(start + t); targets[t] = stream.get(start + t + 1); }
        float[] w = new float[seqLen];
        Arrays.fill(w, 1f);
        return new Example(tokens, targets, w, seqLen);
    }

    private void appendNextPiece() {
        if (next >= order.size()) {
            epoch++;
            List<Integer> o = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) o.add(i);
            Collections.shuffle(o, new Random(seed * 1_000_003L + epoch));
            order = o;
            next = 0;
            fimRnd = new Random(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1)));
        }
        fim.apply(pieces.get(order.get(next++)), fimRnd, stream);
    }

    /** Splits text at line ends into pieces of at most max chars (a longer single line is cut). */
    static List<String> chunks(String text, int max) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + max);
            if (end < text.length()) {
                int nl = text.lastIndexOf('\n', end - 1);
                if (nl >= start + max / 4) end = nl + 1;
            }
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }
}
