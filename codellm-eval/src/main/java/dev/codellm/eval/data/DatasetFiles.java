package dev.codellm.eval.data;

import dev.codellm.core.AtomicFiles;
import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Finds a dataset file: {@code --data-dir} if given, else the shared datasets directory, else
 * the cache directory; when none has it, downloads it from the official URL into the cache,
 * verifying the SHA-256 of its uncompressed content before it is kept.
 */
public final class DatasetFiles {
    /** Default cache: {@code $CODELLM_CACHE/datasets} or {@code ~/.cache/codellm/datasets}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("CODELLM_CACHE");
        Path base = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "codellm");
        return base.resolve("datasets");
    }

    private final Path dataDir;
    private final boolean useShared;
    private final Path cacheDir;
    private final Function<DatasetId, String> urls;

    /**
     * @param dataDir  a datasets directory given by the user, or null for the shared one
     * @param cacheDir where downloads go
     * @param urls     the URL to fetch for a dataset (tests point this at a local server)
     */
    public DatasetFiles(Path dataDir, Path cacheDir, Function<DatasetId, String> urls) {
        this(dataDir, true, cacheDir, urls);
    }

    /** As above; {@code useShared=false} skips the shared directory (tests of the download path). */
    public DatasetFiles(Path dataDir, boolean useShared, Path cacheDir, Function<DatasetId, String> urls) {
        this.dataDir = dataDir;
        this.useShared = useShared;
        this.cacheDir = cacheDir;
        this.urls = urls;
    }

    public static DatasetFiles standard(Path dataDir) {
        return new DatasetFiles(dataDir, defaultCacheDir(), DatasetId::url);
    }

    public Path cacheDir() { return cacheDir; }

    /** The file's uncompressed bytes, located or downloaded as described above. */
    public byte[] read(DatasetId id) {
        Path local = locate(id);
        if (local != null) {
            try {
                return maybeGunzip(Files.readAllBytes(local), local.toString());
            } catch (IOException e) {
                throw new CodellmException("cannot read dataset file " + local + ": " + e.getMessage());
            }
        }
        return download(id);
    }

    private Path locate(DatasetId id) {
        if (dataDir != null) {
            Path p = dataDir.resolve(id.relativePath());
            if (Files.isRegularFile(p)) return p;
            Path flat = dataDir.resolve(Path.of(id.relativePath()).getFileName());
            if (Files.isRegularFile(flat)) return flat;
            throw new CodellmException("dataset " + id + " not found in --data-dir " + dataDir + " (expected " + p + ")");
        }
        if (useShared) {
            try {
                Path p = SharedData.root().resolve("datasets").resolve(id.relativePath());
                if (Files.isRegularFile(p)) return p;
            } catch (CodellmException noShared) {
                // no shared directory here: fall back to the cache
            }
        }
        Path cached = cacheDir.resolve(id.relativePath());
        return Files.isRegularFile(cached) ? cached : null;
    }

    private byte[] download(DatasetId id) {
        String url = urls.apply(id);
        Path target = cacheDir.resolve(id.relativePath());
        System.err.println("codellm: dataset " + id + " not found locally; downloading " + url);
        byte[] body;
        try {
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) throw new CodellmException("download of dataset " + id + " from " + url + " failed: HTTP " + resp.statusCode());
            body = resp.body();
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CodellmException("download of dataset " + id + " from " + url + " failed: " + why
                    + " (no network? put the file at " + target + " or pass --data-dir)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodellmException("interrupted while downloading " + url);
        }
        byte[] content = maybeGunzip(body, url);
        String actual = sha256(content);
        if (!actual.equals(id.sha256())) {
            throw new CodellmException("checksum mismatch for dataset " + id + " downloaded from " + url
                    + ": sha256 of content is " + actual + ", expected " + id.sha256() + " (file not kept)");
        }
        try {
            AtomicFiles.write(target, body);
        } catch (IOException e) {
            throw new CodellmException("cannot store dataset in cache " + target + ": " + e.getMessage());
        }
        return content;
    }

    static byte[] maybeGunzip(byte[] b, String where) {
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new CodellmException("corrupt gzip data in " + where + ": " + e.getMessage());
            }
        }
        return b;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
