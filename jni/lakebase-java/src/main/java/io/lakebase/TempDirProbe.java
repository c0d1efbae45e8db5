package io.lakebase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Describes why a temporary directory may not take an executable library. */
final class TempDirProbe {
    private TempDirProbe() {}

    static String describe(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "not a directory";
        }
        if (!Files.isWritable(dir)) {
            return "not writable";
        }
        String mount = mountOptions(dir);
        if (mount == null) {
            return "writable";
        }
        return mount.contains("noexec") ? "writable but mounted noexec (" + mount + ")" : "writable, mounted " + mount;
    }

    /** The mount point and options of the filesystem holding dir (Linux), or null. */
    static String mountOptions(Path dir) {
        try {
            String path = dir.toRealPath().toString();
            String best = null;
            String options = null;
            List<String> lines = Files.readAllLines(Path.of("/proc/self/mounts"));
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length < 4) {
                    continue;
                }
                String point = f[1].replace("\\040", " ");
                boolean covers = path.equals(point) || path.startsWith(point.endsWith("/") ? point : point + "/");
                if (covers && (best == null || point.length() >= best.length())) {
                    best = point;
                    options = f[3];
                }
            }
            return best == null ? null : best + " " + options;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
