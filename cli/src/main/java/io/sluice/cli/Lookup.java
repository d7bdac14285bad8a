package io.sluice.cli;

import io.sluice.store.RunRecord;
import io.sluice.store.UnknownRunException;

/** Finds a run by id or unique prefix, or fails with exit code 2. */
final class Lookup {
    private Lookup() {
    }

    static RunRecord run(Cli cli, String id) {
        if (!id.matches("[A-Za-z0-9]{1,64}")) {
            throw UserError.usage("'" + id + "' is not a run id (run ids are letters and digits; sluice status lists them)");
        }
        try {
            return cli.store().run(id.toLowerCase(java.util.Locale.ROOT));
        } catch (UnknownRunException e) {
            throw UserError.usage(e.getMessage());
        }
    }
}
