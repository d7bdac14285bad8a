package io.sluice.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Asks a person to confirm a change; without a terminal to ask on, the command needs --yes. */
final class Confirm {
    private Confirm() {
    }

    /** True when the person answered yes; refuses (exit 2) when stdin is not a terminal. */
    static boolean ask(Cli cli, String question) {
        if (!stdinIsTerminal()) {
            throw UserError.usage("nothing was changed: there is no terminal to ask on; add --yes to confirm");
        }
        cli.out.print(question + " [y/N] ");
        cli.out.flush();
        try {
            String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
        } catch (IOException e) {
            return false;
        }
    }

    static boolean stdinIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
