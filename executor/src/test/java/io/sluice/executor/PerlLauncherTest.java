package io.sluice.executor;

import java.io.IOException;
import java.io.UncheckedIOException;

class PerlLauncherTest extends LocalExecutorContract {
    @Override
    ProcessLauncher launcher() {
        try {
            return LauncherProcess.perl("/usr/bin/perl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
