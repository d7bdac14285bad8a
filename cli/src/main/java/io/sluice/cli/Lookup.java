package io.sluice.cli;

import io.sluice.store.RunRecord;
import io.sluice.store.UnknownRunException;
import java.util.Locale;

/** Finds a run by id or unique prefix, or fails with exit code 2. */
final class Lookup {
    private Lookup() {
    }

    /** A run id (or prefix) as typed, checked and lower-cased; anything else is a usage error. */
    static String checkedId(String id) {
        if (!id.matches("[A-Za-z0-9]{1,64}")) {
            throw UserError.usage("'" + id + "' is not a run id (run ids are letters and digits; sluice status lists them)");
        }
        return id.toLowerCase(Locale.ROOT);
    }

    static RunRecord run(Cli cli, String id) {
        try {
            return cli.store().run(checkedId(id));
        } catch (UnknownRunException e) {
            throw UserError.usage(e.getMessage());
        }
    }
}
