package dev.codellm.model.tokenizer;

import dev.codellm.core.CodellmException;
import dev.codellm.core.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Encoding throughput on real text: reads a file, or the source files under a directory (e.g. the
 * Python standard library), encodes each file as one text, a warm-up round then timed rounds.
 */
public final class TokenizerBench {
    /** Figures for one benchmark; MB are 10^6 bytes of UTF-8 input. */
    public record Result(String vocabulary, int files, long bytes, long tokens, int rounds, double bestSeconds,
                         double medianSeconds) {
        public double bestMBps() { return bytes / 1e6 / bestSeconds; }

        public double medianMBps() { return bytes / 1e6 / medianSeconds; }

        public double bytesPerToken() { return tokens == 0 ? 0 : (double) bytes / tokens; }
    }

    private TokenizerBench() {}

    /**
     * The texts to encode: {@code path} itself if it is a file, otherwise the files under it whose
     * names end with {@code extension} (sorted, at most {@code maxBytes} in all). Files that are not
     * UTF-8 are skipped.
     */
    public static List<String> corpus(Path path, String extension, long maxBytes) {
        if (!Files.exists(path)) throw new CodellmException("benchmark input not found: " + path);
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(extension)).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            files = List.of(path);
        }
        List<String> texts = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            if (total >= maxBytes) break;
            try {
                byte[] bytes = Files.readAllBytes(f);
                texts.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString());
                total += bytes.length;
            } catch (CharacterCodingException notUtf8) {
                // not text we can measure on; skip it
            } catch (IOException e) {
                throw new CodellmException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        if (texts.isEmpty()) throw new CodellmException("no UTF-8 " + extension + " files under " + path);
        return texts;
    }

    /** Encodes every text once to warm up, then {@code rounds} timed times. */
    public static Result run(Tokenizer tokenizer, List<String> texts, int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("rounds must be at least 1");
        long bytes = 0;
        for (String t : texts) bytes += t.getBytes(StandardCharsets.UTF_8).length;
        long tokens = encodeAll(tokenizer, texts);
        double[] seconds = new double[rounds];
        Progress progress = new Progress("tokenize bench", rounds);
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            encodeAll(tokenizer, texts);
            seconds[r] = (System.nanoTime() - t0) / 1e9;
            progress.step(1);
        }
        Arrays.sort(seconds);
        return new Result(tokenizer.vocabulary().name(), texts.size(), bytes, tokens, rounds, seconds[0], seconds[rounds / 2]);
    }

    private static long encodeAll(Tokenizer tokenizer, List<String> texts) {
        long n = 0;
        for (String t : texts) n += tokenizer.encode(t, false, false).length;
        return n;
    }
}
