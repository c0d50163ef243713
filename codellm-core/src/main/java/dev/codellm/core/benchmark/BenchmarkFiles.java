package dev.codellm.core.benchmark;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.core.io.Gzip;
import dev.codellm.core.io.Jsonl;
import dev.codellm.core.io.OutputFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * The one dataset lookup: finds a benchmark's file in {@code --data-dir} if given, else in the
 * shared datasets directory, else in the download cache; when none has it, downloads the
 * official release into the cache, keeping it only if the SHA-256 of its uncompressed content
 * is the registry's. A local copy whose checksum differs is used with a warning (scores may then
 * not be comparable with published ones).
 */
public final class BenchmarkFiles {
    /** A benchmark's records in file order, and the SHA-256 of the content they came from. */
    public record Content(BenchmarkSpec spec, List<Jsonl.Line> rows, String sha256) {
        /** Whether the content is the pinned release. */
        public boolean pinned() { return sha256.equals(spec.sha256()); }
    }

    /** Default cache: {@code $CODELLM_CACHE/datasets} or {@code ~/.cache/codellm/datasets}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("CODELLM_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "codellm");
        return base.resolve("datasets");
    }

    private final Path dataDir;
    private final boolean useShared;
    private final Path cacheDir;
    private final Function<BenchmarkSpec, String> urls;

    /**
     * @param dataDir   a datasets directory the user named (its files must be there), or null
     * @param useShared whether to look in the shared datasets directory (tests of the download path skip it)
     * @param cacheDir  where downloads go
     * @param urls      the URL to fetch for a benchmark (tests point it at a local server)
     */
    public BenchmarkFiles(Path dataDir, boolean useShared, Path cacheDir, Function<BenchmarkSpec, String> urls) {
        this.dataDir = dataDir;
        this.useShared = useShared;
        this.cacheDir = cacheDir;
        this.urls = urls;
    }

    /** {@code --data-dir} (or null), then shared data, then the cache at {@code cacheDir}, then the official URL. */
    public static BenchmarkFiles of(Path dataDir, Path cacheDir) {
        return new BenchmarkFiles(dataDir, true, cacheDir == null ? defaultCacheDir() : cacheDir, BenchmarkSpec::url);
    }

    /** The usual lookup with the default cache. */
    public static BenchmarkFiles standard() {
        return of(null, null);
    }

    public Path cacheDir() { return cacheDir; }

    /** The records and checksum of a benchmark (the strict jsonl reader; errors name file and line). */
    public Content load(BenchmarkSpec spec) {
        byte[] content = read(spec);
        String sha = sha256(content);
        if (!sha.equals(spec.sha256())) {
            System.err.println("codellm: warning: dataset " + spec + " content differs from the pinned release (sha256 "
                    + sha.substring(0, 12) + "…, expected " + spec.sha256().substring(0, 12) + "…); scores may not be comparable");
        }
        return new Content(spec, Jsonl.parse(new String(content, StandardCharsets.UTF_8), spec.name()), sha);
    }

    /** The non-blank values of the given fields, record by record (e.g. HumanEval's prompts). */
    public List<String> texts(BenchmarkSpec spec, List<String> fields) {
        List<String> out = new ArrayList<>();
        for (Jsonl.Line l : load(spec).rows()) {
            for (String f : fields) {
                String v = l.json().path(f).isValueNode() ? l.json().path(f).asText() : null;
                if (v != null && !v.isBlank()) out.add(v);
            }
        }
        return out;
    }

    /** The file's uncompressed bytes, located or downloaded as described above. */
    public byte[] read(BenchmarkSpec spec) {
        Path local = locate(spec);
        if (local != null) {
            try {
                return Gzip.maybeGunzip(Files.readAllBytes(local), local.toString());
            } catch (IOException e) {
                throw new CodellmException("cannot read dataset file " + local + ": " + e.getMessage());
            }
        }
        return download(spec);
    }

    /** Where the file is on this machine, or null when it would have to be downloaded. */
    public Path locate(BenchmarkSpec spec) {
        if (dataDir != null) {
            Path p = dataDir.resolve(spec.relativePath());
            if (Files.isRegularFile(p)) return p;
            Path flat = dataDir.resolve(Path.of(spec.relativePath()).getFileName());
            if (Files.isRegularFile(flat)) return flat;
            throw new CodellmException("dataset " + spec + " not found in --data-dir " + dataDir + " (expected " + p + ")");
        }
        if (useShared) {
            try {
                Path p = SharedData.root().resolve("datasets").resolve(spec.relativePath());
                if (Files.isRegularFile(p)) return p;
            } catch (CodellmException noShared) {
                // no shared directory here: fall back to the cache
            }
        }
        Path cached = cacheDir.resolve(spec.relativePath());
        return Files.isRegularFile(cached) ? cached : null;
    }

    private byte[] download(BenchmarkSpec spec) {
        Path target = cacheDir.resolve(spec.relativePath());
        String url = urls.apply(spec);
        if (url == null) {
            throw new CodellmException("dataset " + spec + " not found (no shared data, nothing at " + target
                    + ") and it has no single-file release to download: put " + spec.relativePath() + " under --data-dir or the cache");
        }
        System.err.println("codellm: dataset " + spec + " not found locally; downloading " + url);
        byte[] body;
        try {
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) throw new CodellmException("download of dataset " + spec + " from " + url + " failed: HTTP " + resp.statusCode());
            body = resp.body();
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CodellmException("download of dataset " + spec + " from " + url + " failed: " + why
                    + " (no network? put the file at " + target + " or pass --data-dir)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while downloading " + url);
        }
        byte[] content = Gzip.maybeGunzip(body, url);
        String actual = sha256(content);
        if (!actual.equals(spec.sha256())) {
            throw new CodellmException("checksum mismatch for dataset " + spec + " downloaded from " + url
                    + ": sha256 of content is " + actual + ", expected " + spec.sha256() + " (file not kept)");
        }
        OutputFiles.writeAtomically(target, body);
        return content;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
