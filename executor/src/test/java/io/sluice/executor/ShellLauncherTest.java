package io.sluice.executor;

class ShellLauncherTest extends LocalExecutorContract {
    @Override
    ProcessLauncher launcher() {
        return new ShellLauncher();
    }
}
