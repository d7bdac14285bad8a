package io.sluice.executor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Finds the native launcher (launcher.c) that the build compiled into the executor's resources
 * when the machine had a C compiler. A program cannot run from inside a jar, so it is copied once
 * into the user's cache directory, under a name that carries its checksum: a rebuilt launcher
 * gets a file of its own, and a file of that name is never replaced while another Sluice runs it.
 */
final class NativeLauncher {
    static final String RESOURCE = "sluice-launcher";

    private NativeLauncher() {
    }

    /** The launcher's program, or empty when this build has none or it cannot be made runnable here. */
    static Optional<Path> find() {
        return find(RESOURCE);
    }

    /** The build's native file {@code resource} (a program or a library) as a file of its own, or empty. */
    static Optional<Path> find(String resource) {
        URL url = NativeLauncher.class.getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try {
            if (url.getProtocol().equals("file")) {
                Path file = Path.of(url.toURI());
                if (Files.isExecutable(file)) {
                    return Optional.of(file); // the build's own output, as in the executor's tests
                }
            }
            byte[] program;
            try (InputStream in = url.openStream()) {
                program = in.readAllBytes();
            }
            return Optional.of(installed(resource, program, cacheDirectory()));
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The program copied into {@code dir}, or the copy made there before. */
    static Path installed(byte[] program, Path dir) throws IOException {
        return installed(RESOURCE, program, dir);
    }

    private static Path installed(String resource, byte[] program, Path dir) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(program);
        Path target = dir.resolve(resource + "-" + Long.toHexString(crc.getValue()) + "-" + program.length);
        if (Files.isExecutable(target) && Files.size(target) == program.length) {
            return target;
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(dir, resource, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(tmp, program);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** $XDG_CACHE_HOME/sluice, else ~/.cache/sluice: the user's own, so nobody else can swap the program. */
    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("sluice");
    }
}
