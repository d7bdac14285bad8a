package io.sluice.cli;

import picocli.CommandLine;

/** {@code sluice --version}. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Sluice.class.getPackage().getImplementationVersion();
        return new String[] {"sluice " + (v == null ? "development build" : v) + " (Java " + Runtime.version() + ")"};
    }
}
