package dev.codellm.model.generate;

import dev.codellm.core.io.OutputFiles;
import dev.codellm.core.CodellmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The small model bundled in the jar (classpath resource {@value #RESOURCE}, trained by this
 * project), used when no {@code --model} is given. The engine maps model files, so the resource is
 * extracted once to the cache directory under a name carrying its SHA-256 (a new build with a new
 * model gets a new file; an interrupted extraction never leaves a half-written file under the
 * final name).
 */
public final class DefaultModelFile {
    public static final String RESOURCE = "dev/codellm/model/default-model.gguf";

    private static Path extracted;

    private DefaultModelFile() {}

    /** The extracted default model, extracting it on first use; a clear error when none is bundled. */
    public static synchronized Path path() {
        if (extracted == null) extracted = extract(DefaultModelFile.class.getClassLoader(), cacheDir());
        return extracted;
    }

    /** True when this build bundles a default model. */
    public static boolean isBundled() {
        return DefaultModelFile.class.getClassLoader().getResource(RESOURCE) != null;
    }

    /**
     * {@code $CODELLM_CACHE}, else {@code $XDG_CACHE_HOME/codellm}, else {@code ~/.cache/codellm}.
     */
    public static Path cacheDir() {
        String env = System.getenv("CODELLM_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "codellm");
        return Path.of(System.getProperty("user.home"), ".cache", "codellm");
    }

    /** Extracts {@link #RESOURCE} from {@code loader} into {@code dir} (idempotent); returns the file. */
    static Path extract(ClassLoader loader, Path dir) {
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new CodellmException("no default model is bundled in this build (classpath resource " + RESOURCE
                        + " is missing); pass --model FILE.gguf");
            }
            Path tmp = OutputFiles.temporarySibling(dir.resolve("default-model.gguf"));
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        sha.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
                Path target = dir.resolve("default-model-" + hash + ".gguf");
                if (!Files.exists(target)) {
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                return target;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CodellmException("could not extract the default model to " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
