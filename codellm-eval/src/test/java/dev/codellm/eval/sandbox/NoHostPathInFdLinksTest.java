package dev.codellm.eval.sandbox;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §1, host paths: from inside the sandbox, the link of every descriptor of every process
 * the program can see ({@code /proc/<pid>/fd/*}: its own, a child's, the PID 1 wrapper's, read
 * repeatedly from the program's first instant so the wrapper's descriptors before it drops them
 * are seen too) is a pipe, {@code /dev/null} or a path of the sandbox, never the host run
 * directory ({@code $TMPDIR/codellm-sbx-<jvm pid>-<n>}). Before, stdin, stdout, stderr and the
 * collection fds 4..8 were files there. Root (per-slot uids) and a normal user's launch (nobody).
 */
class NoHostPathInFdLinksTest {
    private static final Limits FAST = Limits.DEFAULT.withWallTimeout(Duration.ofSeconds(30));
    /** What a descriptor may name: a pipe, or something of the sandbox's own tree. */
    private static final Pattern ALLOWED = Pattern.compile("pipe:\\[\\d+]|anon_inode:.*|/dev/.*|/proc/\\d+/fd|/tmp/w(/.*)?|/usr/.*");
    /** Lists "pid fd link" of every process it can see, scanning for a while from its first instant. */
    private static final String SCAN = """
            import os, subprocess, time
            seen = {}
            def scan():
                for pid in os.listdir('/proc'):
                    if not pid.isdigit():
                        continue
                    try:
                        fds = os.listdir('/proc/%s/fd' % pid)
                    except OSError:
                        continue
                    for fd in fds:
                        try:
                            seen[(int(pid), int(fd))] = os.readlink('/proc/%s/fd/%s' % (pid, fd))
                        except OSError:
                            pass
            scan()
            child = subprocess.Popen(['/bin/sleep', '30'], stdout=open('out.txt', 'w'))
            for _ in range(20):
                scan()
                time.sleep(0.01)
            child.kill()
            child.wait()
            for (pid, fd), link in sorted(seen.items()):
                print('me' if pid == os.getpid() else 'child' if pid == child.pid else pid, fd, link)
            """;

    private static BwrapSandbox asRoot, asNobody;

    @BeforeAll
    static void create() {
        asRoot = BwrapSandbox.create();
        asNobody = BwrapSandbox.asUnprivilegedUser(65534);
    }

    @Test
    void noDescriptorInsideNamesAHostPathAsRoot() {
        assertOnlySandboxLinks(asRoot);
    }

    @Test
    void noDescriptorInsideNamesAHostPathAsANormalUser() {
        assertOnlySandboxLinks(asNobody);
    }

    private static void assertOnlySandboxLinks(BwrapSandbox sandbox) {
        RunResult r = sandbox.run(RunRequest.of(List.of("/usr/bin/python3", "main.py"), FAST).withFile("main.py", SCAN)
                .withStdin("some input").withCollect(List.of("a", "b", "c", "d", "e")));
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        List<String> lines = r.stdout().lines().toList();
        // Not vacuous: the program's own streams and the wrapper's collection fds (held to the end) were read.
        for (String must : List.of("me 0 ", "me 1 ", "me 2 ", "1 4 ", "1 8 ", "child 1 /tmp/w/out.txt")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(must)), must + " not seen:\n" + r.stdout());
        }
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString();
        String jvm = Long.toString(ProcessHandle.current().pid());
        List<String> leaks = new ArrayList<>();
        for (String line : lines) {
            String link = line.split(" ", 3)[2];
            if (!ALLOWED.matcher(link).matches() || link.contains("codellm-sbx-") || link.startsWith(tmp + "/codellm")
                    || link.contains("-" + jvm + "-")) {
                leaks.add(line);
            }
        }
        assertEquals(List.of(), leaks, "descriptors that name something outside the sandbox:\n" + r.stdout());
    }
}
