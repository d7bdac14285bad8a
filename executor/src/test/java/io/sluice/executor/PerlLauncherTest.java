package io.sluice.executor;

import java.io.IOException;
import java.io.UncheckedIOException;

class PerlLauncherTest extends LocalExecutorContract {
    @Override
    ProcessLauncher launcher() {
        try {
            return new PerlLauncher("/usr/bin/perl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
