package io.sluice.executor;

import io.sluice.definition.PipelineDirectory;
import io.sluice.definition.PipelineDirectory.PipelineFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * A run's workspace: a fresh copy of the version's files, with the run's TMPDIR and $SLUICE_ENV
 * file under {@code .sluice/} inside it. Created when the run starts, deleted when it ends.
 */
public final class LocalSandbox {
    private final Path workspace;

    private LocalSandbox(Path workspace) {
        this.workspace = workspace;
    }

    /** Creates {@code workspace} (which must not exist) as a copy of {@code files}. */
    public static LocalSandbox create(Path workspace, PipelineDirectory files) throws IOException {
        Files.createDirectories(workspace.getParent());
        Files.createDirectory(workspace);
        LocalSandbox sandbox = new LocalSandbox(workspace);
        for (PipelineFile f : files.files()) {
            Path target = workspace.resolve(f.path()).normalize();
            if (!target.startsWith(workspace)) {
                throw new ExecutorException("refusing to copy " + f.path() + " outside the workspace");
            }
            Files.createDirectories(target.getParent());
            Files.copy(f.source(), target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            if (f.executable()) {
                target.toFile().setExecutable(true, false);
            }
        }
        Files.createDirectories(sandbox.tmpDir());
        Files.createFile(sandbox.envFile());
        return sandbox;
    }

    /** A sandbox whose workspace already exists (a restart picking up a run). */
    public static LocalSandbox existing(Path workspace) {
        return new LocalSandbox(workspace);
    }

    public Path workspace() {
        return workspace;
    }

    public Path tmpDir() {
        return workspace.resolve(".sluice").resolve("tmp");
    }

    /** The file setup appends KEY=VALUE lines to ($SLUICE_ENV). */
    public Path envFile() {
        return workspace.resolve(".sluice").resolve("env");
    }

    /** Deletes the workspace, including files and directories a task made read-only. */
    public void destroy() throws IOException {
        deleteTree(workspace);
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                makeWritable(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                makeWritable(file);
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void makeWritable(Path dir) {
        try {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
            if (perms.add(PosixFilePermission.OWNER_WRITE) | perms.add(PosixFilePermission.OWNER_EXECUTE)
                    | perms.add(PosixFilePermission.OWNER_READ)) {
                Files.setPosixFilePermissions(dir, perms);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // best effort: deletion reports what is left
        }
    }
}
