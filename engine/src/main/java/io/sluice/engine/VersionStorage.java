package io.sluice.engine;

import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.PipelineDirectory.PipelineFile;
import io.sluice.executor.LocalSandbox;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Deployed versions' files under {@code HOME/versions/SHA256}: written once, atomically (a
 * temporary directory renamed into place), read-only afterwards. Runs of a deployed pipeline copy
 * their workspace from here, so editing the working copy never changes what production runs.
 */
public final class VersionStorage {
    private final Path root;

    public VersionStorage(SluiceHome home) {
        this.root = home.root().resolve("versions");
    }

    public Path pathOf(String version) {
        return root.resolve(version);
    }

    /** Stores the files of {@code files} as {@code version}, unless they are already stored; checks the hash. */
    public Path store(PipelineDirectory files, String version) throws IOException {
        Path target = pathOf(version);
        if (Files.isDirectory(target)) {
            return target;
        }
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".incoming-");
        try {
            for (PipelineFile f : files.files()) {
                Path to = tmp.resolve(f.path()).normalize();
                if (!to.startsWith(tmp)) {
                    throw new IOException("refusing to store " + f.path() + " outside the version");
                }
                Files.createDirectories(to.getParent());
                Files.copy(f.source(), to, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(f.executable() ? "r-xr-xr-x" : "r--r--r--"));
            }
            String stored = PipelineDirectory.scan(tmp).version();
            if (!stored.equals(version)) {
                throw new IOException("the pipeline changed while it was being stored (version " + stored.substring(0, 12)
                        + " instead of " + version.substring(0, 12) + "); deploy again");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                LocalSandbox.deleteTree(tmp); // another deploy stored the same version first
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot store versions atomically in " + root, e);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            LocalSandbox.deleteTree(tmp);
            throw e;
        }
    }

    /** Stores a version from its bundle (a zip from the database, deployed through another server); checks the hash. */
    public Path unpack(String version, byte[] bundle) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempDirectory(root, ".bundle-");
        try {
            Path dir = tmp.resolve("files");
            Bundles.unzip(bundle, dir);
            return store(PipelineDirectory.scan(dir), version);
        } finally {
            LocalSandbox.deleteTree(tmp);
        }
    }

    public PipelineDirectory open(String version) throws IOException {
        return PipelineDirectory.scan(pathOf(version));
    }
}
