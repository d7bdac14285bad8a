package io.sluice.cli;

import io.sluice.yaml.DidYouMean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code --param K=V} against the pipeline's declared params; values are kept exactly as given. */
final class Params {
    private Params() {
    }

    static Map<String, String> resolve(Map<String, String> declared, List<String> given) {
        Map<String, String> params = new LinkedHashMap<>(declared);
        for (String arg : given) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw UserError.usage("--param '" + arg + "': expected NAME=VALUE");
            }
            String name = arg.substring(0, eq);
            if (!declared.containsKey(name)) {
                String hint = DidYouMean.suggest(name, declared.keySet()).map(s -> " (did you mean '" + s + "'?)")
                        .orElse(declared.isEmpty() ? "; the pipeline declares no params" : "; declared: " + String.join(", ", declared.keySet()));
                throw UserError.usage("--param '" + name + "': not a param of this pipeline" + hint);
            }
            String value = arg.substring(eq + 1);
            if (value.indexOf('\0') >= 0) {
                throw UserError.usage("--param '" + name + "': the value contains a NUL character");
            }
            params.put(name, value);
        }
        return params;
    }
}
