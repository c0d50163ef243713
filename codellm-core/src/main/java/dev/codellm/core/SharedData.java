package dev.codellm.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the project's read-only shared data (datasets, vocab test vectors, small models).
 * Order: env {@code CODELLM_SHARED}; otherwise {@code ../shared} seen from the working directory
 * or any of its parents (so it works from the project root, a module directory, or a worktree).
 */
public final class SharedData {
    public static final String ENV = "CODELLM_SHARED";

    private SharedData() {}

    /** The shared-data root, or a {@link CodellmException} naming where it was looked for. */
    public static Path root() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).toAbsolutePath().normalize();
            if (!Files.isDirectory(p)) throw new CodellmException(ENV + "=" + env + " is not a directory");
            return p;
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            Path candidate = d.resolveSibling("shared");
            if (d.getParent() != null && Files.isDirectory(candidate)) return candidate.normalize();
        }
        throw new CodellmException("shared data not found: set " + ENV + " or place it at ../shared (looked upward from " + cwd + ")");
    }

    /** A file or directory under the shared root that must exist. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new CodellmException("shared data file missing: " + p);
        return p;
    }
}
