package dev.codellm.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * A PATH that holds only stub {@code dpkg-query}, {@code apt-get}, {@code id} (and {@code sudo} on
 * request) plus the few real tools the scripts use, so the set-up scripts can be run as on a fresh
 * machine without touching a real package: other tests (the sandbox's) run on this machine at the
 * same time and need bubblewrap installed. The stub dpkg database is the file {@code installed};
 * every stub appends what it was asked to {@code apt.log}.
 */
final class FakeDebian {
    /** Real tools the launcher, run-tests and scripts/*.sh call. */
    private static final List<String> TOOLS = List.of("sed", "tr", "sort", "awk", "mktemp", "tail", "rm", "cat", "env", "dirname",
            "grep", "readlink", "mkdir", "ln", "touch", "bash", "find", "stat", "cp", "stty");

    final Path dir, bin, installed, aptLog;

    FakeDebian(Path dir) throws IOException {
        this.dir = dir;
        bin = Files.createDirectories(dir.resolve("bin"));
        installed = dir.resolve("installed");
        aptLog = dir.resolve("apt.log");
        Files.writeString(installed, "");
        for (String tool : TOOLS) {
            Path real = Path.of("/usr/bin", tool);
            if (!Files.exists(real)) real = Path.of("/bin", tool);
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        // dpkg-query -W -f=FORMAT PKG...: one "name<TAB>install ok installed" line per package in $STUB/installed;
        // like the real one, exit status 1 when some package was never installed
        script("dpkg-query", """
                shift 2
                rc=0
                for p in "$@"; do
                  if grep -qx "$p" "$STUB/installed"; then printf '%s\\tinstall ok installed\\n' "$p"; else echo "dpkg-query: no packages found matching $p" >&2; rc=1; fi
                done
                exit $rc""");
        // apt-get: logs its arguments; install adds the packages unless APT_FAIL says otherwise
        script("apt-get", """
                echo "$*" >> "$STUB/apt.log"
                [ "$1" = update ] && { touch "$STUB/updated"; exit 0; }
                [ "${APT_FAIL:-}" = always ] && exit 100
                [ "${APT_FAIL:-}" = until-update ] && [ ! -f "$STUB/updated" ] && exit 100
                for p in "$@"; do case $p in -*|install) ;; *) echo "$p" >> "$STUB/installed" ;; esac; done""");
        script("id", "echo \"${STUB_UID:-0}\"");
    }

    /** Puts an executable {@code name} running {@code body} (bash) on the PATH. */
    void script(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A sudo that logs how it was called and runs the command (as the stubs do not care who runs them). */
    void sudo() throws IOException {
        script("sudo", "echo \"sudo $*\" >> \"$STUB/apt.log\"\n[ \"$1\" = -n ] && shift\nexec \"$@\"");
    }

    /** Exactly these packages are installed. */
    void have(String... packages) throws IOException {
        Files.writeString(installed, String.join("\n", packages) + "\n");
    }

    String aptLog() throws IOException {
        return Files.exists(aptLog) ? Files.readString(aptLog) : "";
    }

    record Shell(int code, String out) {}

    /** Runs {@code snippet} with bash in {@code cwd} on the stub PATH, stdin not a terminal, stderr into the output. */
    Shell run(Path cwd, String snippet, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", "set -euo pipefail; " + snippet)
                .directory(cwd.toFile()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("STUB", dir.toString());
        pb.environment().put("HOME", dir.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Shell(p.waitFor(), out);
    }
}
