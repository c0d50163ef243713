package dev.codellm.cli;

import dev.codellm.core.io.Json;
import dev.codellm.core.CodellmException;
import dev.codellm.model.generate.DefaultModelFile;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.model.tokenizer.TokenizerBench;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code codellm tokenize}: text to token ids and pieces with a GGUF model's tokenizer. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Show the token ids (and pieces) a model's tokenizer gives for a text.",
                "The text comes from the argument, --file, or standard input. No BOS is added unless --bos.",
                "With --bench PATH, measures encoding speed on a file or on the *.py files under a directory."})
public final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE",
            description = "GGUF file whose tokenizer to use (default: $CODELLM_MODEL, else the model bundled with codellm).")
    Path model;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the text from this file (UTF-8).")
    Path file;

    @Option(names = "--ids", description = "Print only the ids, space-separated on one line.")
    boolean idsOnly;

    @Option(names = "--json", description = "Print JSON: model, count and each token's id, text and piece.")
    boolean json;

    @Option(names = "--bos", description = "Start with BOS where the model asks for it (as a prompt is encoded).")
    boolean bos;

    @Option(names = "--special", description = "Turn special-token text such as <s> or <|endoftext|> into those tokens.")
    boolean special;

    @Option(names = "--bench", paramLabel = "PATH", description = "Benchmark encoding on a file or the *.py files under a directory.")
    Path bench;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds for --bench (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--max-mb", defaultValue = "64", description = "At most this many MB of input for --bench (default ${DEFAULT-VALUE}).")
    long maxMb;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tok = Tokenizer.fromGguf(modelPath());
        if (bench != null) return benchmark(tok, out);
        int[] ids = tok.encode(input(), bos, special);
        if (json) {
            List<Map<String, Object>> tokens = new ArrayList<>();
            for (int id : ids) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("id", id);
                t.put("text", tok.tokenText(id));
                byte[] piece = tok.tokenBytes(id);
                t.put("piece", new String(piece, StandardCharsets.UTF_8));
                if (!isUtf8(piece)) { // part of a character: the raw bytes say which
                    int[] raw = new int[piece.length];
                    for (int i = 0; i < piece.length; i++) raw[i] = piece[i] & 0xff;
                    t.put("bytes", raw);
                }
                tokens.add(t);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", modelPath().toString());
            doc.put("count", ids.length);
            doc.put("ids", ids);
            doc.put("tokens", tokens);
            out.print(Json.pretty(doc));
        } else if (idsOnly) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(sb.isEmpty() ? "" : " ").append(id);
            out.println(sb);
        } else {
            for (int id : ids) out.printf("%7d  %-24s %s%n", id, tok.tokenText(id), quote(tok.tokenBytes(id)));
            out.println(ids.length + " tokens");
        }
        out.flush();
        return 0;
    }

    private int benchmark(Tokenizer tok, PrintWriter out) throws IOException {
        if (rounds < 1) throw new CodellmException("--rounds must be at least 1");
        var texts = TokenizerBench.corpus(bench, ".py", maxMb * 1_000_000);
        var r = TokenizerBench.run(tok, texts, rounds);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", modelPath().toString());
            doc.put("input", bench.toString());
            doc.put("files", r.files());
            doc.put("bytes", r.bytes());
            doc.put("tokens", r.tokens());
            doc.put("rounds", r.rounds());
            doc.put("best_seconds", r.bestSeconds());
            doc.put("median_seconds", r.medianSeconds());
            doc.put("best_mb_per_s", r.bestMBps());
            doc.put("median_mb_per_s", r.medianMBps());
            doc.put("bytes_per_token", r.bytesPerToken());
            out.print(Json.pretty(doc));
        } else {
            out.printf("%s: %d files, %.2f MB, %d tokens (%.2f bytes/token)%n", r.vocabulary(), r.files(), r.bytes() / 1e6,
                    r.tokens(), r.bytesPerToken());
            out.printf("encode: best %.3f s = %.2f MB/s, median %.3f s = %.2f MB/s (%d rounds)%n",
                    r.bestSeconds(), r.bestMBps(), r.medianSeconds(), r.medianMBps(), r.rounds());
        }
        out.flush();
        return 0;
    }

    private Path modelPath() {
        if (model != null) return model;
        String env = System.getenv("CODELLM_MODEL");
        if (env != null && !env.isBlank()) return Path.of(env);
        return DefaultModelFile.path();
    }

    private String input() throws IOException {
        if (text != null && file != null) throw new CodellmException("give the text either as an argument or with --file, not both");
        if (text != null) return text;
        byte[] bytes;
        String source;
        if (file != null) {
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new CodellmException("file not found: " + file);
            }
            source = file.toString();
        } else {
            InputStream in = System.in;
            bytes = in.readAllBytes();
            source = "standard input";
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CodellmException(source + " is not valid UTF-8 text");
        }
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A piece's bytes as a quoted, escaped string; bytes that are not whole UTF-8 characters as \xNN. */
    static String quote(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            int len = b < 0x80 ? 1 : b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
            String ch = null;
            if (len > 0 && i + len <= bytes.length) {
                try {
                    ch = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, i, len)).toString();
                } catch (CharacterCodingException e) {
                    ch = null;
                }
            }
            if (ch == null) {
                sb.append(String.format("\\x%02X", b));
                i++;
                continue;
            }
            switch (ch) {
                case "\n" -> sb.append("\\n");
                case "\t" -> sb.append("\\t");
                case "\r" -> sb.append("\\r");
                case "\"" -> sb.append("\\\"");
                case "\\" -> sb.append("\\\\");
                default -> {
                    if (ch.length() == 1 && Character.isISOControl(ch.charAt(0))) sb.append(String.format("\\x%02X", (int) ch.charAt(0)));
                    else sb.append(ch);
                }
            }
            i += len;
        }
        return sb.append('"').toString();
    }
}
