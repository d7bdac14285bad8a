package io.sluice.engine;

import io.sluice.executor.LocalSandbox;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A pipeline directory sent to the server for deploy: a zip of its files, and {@code .sluice/modes}
 * naming the executable ones (zip keeps no Unix modes; {@code .sluice} is not part of a version).
 * Unpacking refuses paths that leave the directory, and stops at a size limit.
 */
public final class Bundles {
    public static final long MAX_BYTES = 256L * 1024 * 1024;
    static final String MODES = ".sluice/modes";

    private Bundles() {
    }

    /** Zips the files of a pipeline directory (the files of its version) with their executable bits. */
    public static byte[] zip(io.sluice.definition.PipelineDirectory dir) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StringBuilder modes = new StringBuilder();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var f : dir.files()) {
                zip.putNextEntry(new ZipEntry(f.path()));
                Files.copy(f.source(), zip);
                zip.closeEntry();
                if (f.executable()) {
                    modes.append(f.path()).append('\n');
                }
            }
            zip.putNextEntry(new ZipEntry(MODES));
            zip.write(modes.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** Unpacks a bundle into the new directory {@code target}. */
    public static void unzip(byte[] bundle, Path target) throws IOException {
        Files.createDirectories(target);
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bundle))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path to = target.resolve(e.getName()).normalize();
                if (!to.startsWith(target) || e.getName().startsWith("/") || e.getName().contains("\\")) {
                    throw new IOException("the bundle has a path that leaves the pipeline directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                    continue;
                }
                Files.createDirectories(to.getParent());
                try (OutputStream out = Files.newOutputStream(to)) {
                    total += copyLimited(zip, out, MAX_BYTES - total);
                }
            }
        } catch (IOException | RuntimeException ex) {
            LocalSandbox.deleteTree(target);
            throw ex instanceof IOException io ? io : new IOException("not a readable zip bundle: " + ex.getMessage(), ex);
        }
        Path modes = target.resolve(MODES);
        if (Files.exists(modes)) {
            for (String line : Files.readAllLines(modes, StandardCharsets.UTF_8)) {
                Path f = target.resolve(line).normalize();
                if (!line.isBlank() && f.startsWith(target) && Files.isRegularFile(f)) {
                    f.toFile().setExecutable(true, false);
                }
            }
        }
    }

    private static long copyLimited(InputStream in, OutputStream out, long left) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            copied += n;
            if (copied > left) {
                throw new IOException("the bundle unpacks to more than " + (MAX_BYTES >> 20) + " MiB");
            }
            out.write(buffer, 0, n);
        }
        return copied;
    }

}
