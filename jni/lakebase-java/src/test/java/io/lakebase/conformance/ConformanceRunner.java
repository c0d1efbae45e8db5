package io.lakebase.conformance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakebase.testing.Emulator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The Java runner of the language-neutral scenarios
 * (tests/conformance/README.md): {@code RUNNER [-v] --env-file FILE
 * scenario.json...}. One line per scenario on stdout, then
 * "P passed, F failed"; exit 1 if any failed, 77 if all were skipped, 2 for
 * usage errors. Several files run one child JVM each, since the core keeps a
 * provider whose last handle is gone while its token is usable.
 */
public final class ConformanceRunner {
    static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Set<String> CAPABILITIES = Set.of("credentials", "pool");
    private static final long MAX_SCENARIO_BYTES = 1 << 20;

    enum Verdict { PASSED, FAILED, SKIPPED }

    final Emulator emulator;
    final PrintStream out;
    final PrintStream log;
    final boolean verbose;

    ConformanceRunner(Emulator emulator, PrintStream out, PrintStream log, boolean verbose) {
        this.emulator = emulator;
        this.out = out;
        this.log = log;
        this.verbose = verbose;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        String envFile = null;
        boolean verbose = false;
        int i = 0;
        for (; i < args.length && args[i].startsWith("-"); i++) {
            if (args[i].equals("-v")) {
                verbose = true;
            } else if (args[i].equals("--env-file") && i + 1 < args.length) {
                envFile = args[++i];
            } else {
                break;
            }
        }
        if (envFile == null || i >= args.length) {
            stderr.println("usage: ConformanceRunner [-v] --env-file FILE scenario.json...");
            return 2;
        }
        Emulator emulator;
        try {
            emulator = Emulator.load(Path.of(envFile));
        } catch (IOException | RuntimeException e) {
            stderr.println("conformance: " + e.getMessage());
            return 2;
        }
        ConformanceRunner r = new ConformanceRunner(emulator, stdout, stderr, verbose);
        int[] counts = new int[3];
        List<String> files = List.of(args).subList(i, args.length);
        for (String file : files) {
            Verdict v = files.size() == 1 ? r.runFile(file) : r.runIsolated(envFile, file);
            counts[v.ordinal()]++;
        }
        String summary = counts[0] + " passed, " + counts[1] + " failed";
        stdout.println(counts[2] > 0 ? summary + ", " + counts[2] + " skipped" : summary);
        stdout.flush();
        if (counts[1] > 0) {
            return 1;
        }
        return counts[0] == 0 ? 77 : 0;
    }

    /** Runs one scenario in a child JVM of the same class path. */
    Verdict runIsolated(String envFile, String path) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ConformanceRunner.class.getName());
        if (verbose) {
            cmd.add("-v");
        }
        cmd.addAll(List.of("--env-file", envFile, path));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int code = p.waitFor();
            List<String> lines = new ArrayList<>(List.of(text.strip().split("\n")));
            if (lines.size() > 1) {
                lines.remove(lines.size() - 1); // the child's summary
                lines.forEach(out::println);
            }
            switch (code) {
                case 0:
                    return Verdict.PASSED;
                case 1:
                    return Verdict.FAILED;
                case 77:
                    return Verdict.SKIPPED;
                default:
                    out.println("FAIL " + path + ": crashed (exit status " + code + ")");
                    return Verdict.FAILED;
            }
        } catch (IOException | InterruptedException e) {
            out.println("FAIL " + path + ": could not run it in a child process: " + e);
            return Verdict.FAILED;
        }
    }

    Verdict runFile(String path) {
        JsonNode root;
        String name;
        try {
            root = readScenario(Path.of(path));
            name = root.get("name").asText();
        } catch (IOException | StepException e) {
            out.println("FAIL " + path + ": not a scenario: " + e.getMessage());
            return Verdict.FAILED;
        }
        for (JsonNode req : root.path("requires")) {
            if (!req.isTextual() || !CAPABILITIES.contains(req.asText())) {
                out.println("skip " + name + ": requires " + (req.isTextual() ? req.asText() : "(not a string)"));
                return Verdict.SKIPPED;
            }
        }
        try (Scenario sc = new Scenario(this)) {
            try {
                emulator.reset();
                if (root.has("knobs")) {
                    sc.postKnobs(root.get("knobs"));
                }
            } catch (IOException | StepException e) {
                out.println("FAIL " + name + ": setup: " + e.getMessage());
                return Verdict.FAILED;
            }
            int n = 0;
            for (JsonNode step : root.get("steps")) {
                n++;
                String op = step.path("op").isTextual() ? step.get("op").asText() : "?";
                if (verbose) {
                    log.println("  " + name + ": step " + n + " (" + op + ")");
                }
                try {
                    sc.runStep(step);
                } catch (StepException | IOException e) {
                    out.println("FAIL " + name + ": step " + n + " (" + op + "): " + e.getMessage());
                    return Verdict.FAILED;
                } catch (RuntimeException e) {
                    out.println("FAIL " + name + ": step " + n + " (" + op + "): unexpected " + e);
                    return Verdict.FAILED;
                }
            }
        }
        out.println("ok " + name);
        return Verdict.PASSED;
    }

    static JsonNode readScenario(Path path) throws IOException, StepException {
        if (Files.size(path) > MAX_SCENARIO_BYTES) {
            throw new StepException("larger than 1 MiB");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(path));
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.path("name").isTextual() || root.get("name").asText().isEmpty()
                || !root.path("steps").isArray()) {
            throw new StepException("unreadable, not JSON, or without name and steps");
        }
        checkKeys(root, "name,description,requires,knobs,steps", "the scenario");
        return root;
    }

    /** Fails on a key outside allowed (comma-separated): a misspelt expectation never passes silently. */
    static void checkKeys(JsonNode obj, String allowed, String what) throws StepException {
        Set<String> ok = Set.of(allowed.split(","));
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext();) {
            keys.add(it.next());
        }
        keys.sort(null);
        for (String k : keys) {
            if (!ok.contains(k)) {
                throw new StepException("unknown key \"" + k + "\" in " + what);
            }
        }
    }

    /** A step's failure, with the reason the verdict line shows. */
    static final class StepException extends Exception {
        private static final long serialVersionUID = 1L;

        StepException(String message) {
            super(message);
        }
    }
}
