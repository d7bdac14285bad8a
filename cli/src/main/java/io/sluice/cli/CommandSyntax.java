package io.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * One command's syntax for picocli, built in code rather than read from annotations: reading
 * annotations makes the JDK generate a proxy class per annotation type at run time, which no AOT
 * cache keeps, and cost every `sluice` start 60-80 ms of its 200. Each value goes straight into a
 * field of the command object.
 */
final class CommandSyntax {
    private static final CommandLine.IVersionProvider VERSION = new Version();
    /** What picocli makes objects with: its own default factory, at its first use, looks for Groovy on the class path, which opens every jar there (60-80 ms). */
    static final CommandLine.IFactory FACTORY = new Factory();

    private final CommandSpec spec;

    private CommandSyntax(CommandSpec spec) {
        this.spec = spec;
    }

    /** A command with {@code -h/--help} and {@code -V/--version}, as every Sluice command has. */
    static CommandSyntax of(Object command, String name, String... description) {
        CommandSyntax syntax = bare(command, name, description);
        syntax.spec.versionProvider(VERSION);
        syntax.spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        syntax.spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return syntax;
    }

    /** A command without the help and version options (help itself). */
    static CommandSyntax bare(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command, FACTORY);
        spec.name(name);
        spec.usageMessage().description(description);
        return new CommandSyntax(spec);
    }

    /** An option with a value: {@code names} separated by commas ("-f,--follow"). */
    CommandSyntax option(String names, String label, String description, Consumer<String> set) {
        spec.addOption(OptionSpec.builder(names.split(",")).paramLabel(label).description(description).type(String.class)
                .hasInitialValue(false).setter(setter(set)).build());
        return this;
    }

    /** An option whose value picocli converts to {@code type}, with a default value or null. */
    <T> CommandSyntax option(String names, String label, String description, Class<T> type, String defaultValue, Consumer<T> set) {
        OptionSpec.Builder option = OptionSpec.builder(names.split(",")).paramLabel(label).description(description).type(type)
                .hasInitialValue(false).setter(setter(set));
        if (defaultValue != null) {
            option.defaultValue(defaultValue);
        }
        spec.addOption(option.build());
        return this;
    }

    /** An option every subcommand also takes (given before or after the subcommand's name). */
    CommandSyntax inheritedOption(String name, String label, String description, Consumer<String> set) {
        spec.addOption(OptionSpec.builder(name).paramLabel(label).description(description).type(String.class)
                .scopeType(CommandLine.ScopeType.INHERIT).hasInitialValue(false).setter(setter(set)).build());
        return this;
    }

    /** An option that must be given. */
    CommandSyntax requiredOption(String names, String label, String description, Consumer<String> set) {
        spec.addOption(OptionSpec.builder(names.split(",")).paramLabel(label).description(description).type(String.class)
                .required(true).hasInitialValue(false).setter(setter(set)).build());
        return this;
    }

    /** A whole-number option; {@code description} may say ${DEFAULT-VALUE}. */
    CommandSyntax intOption(String names, String label, int defaultValue, String description, IntConsumer set) {
        spec.addOption(OptionSpec.builder(names.split(",")).paramLabel(label).description(description).type(int.class)
                .defaultValue(Integer.toString(defaultValue)).hasInitialValue(false)
                .setter(setter((Integer v) -> set.accept(v))).build());
        return this;
    }

    /** A repeatable option; the values go, in order, into the list {@code set} receives. */
    CommandSyntax repeatable(String names, String label, String description, Consumer<List<String>> set) {
        return repeatable(names, label, "1", description, set);
    }

    /** A repeatable option taking {@code arity} values each time ("1..*": all up to the next option). */
    CommandSyntax repeatable(String names, String label, String arity, String description, Consumer<List<String>> set) {
        ListBinding list = ListBinding.to(set);
        spec.addOption(OptionSpec.builder(names.split(",")).paramLabel(label).arity(arity).description(description)
                .type(List.class).auxiliaryTypes(String.class).initialValue(list.values()).getter(list.getter()).setter(list.setter()).build());
        return this;
    }

    /** An option without a value: true when given. */
    CommandSyntax flag(String names, String description, Consumer<Boolean> set) {
        spec.addOption(OptionSpec.builder(names.split(",")).description(description).type(boolean.class).arity("0")
                .hasInitialValue(false).setter(setter(set)).build());
        return this;
    }

    /** The positional parameter at {@code index}; {@code arity} "1" (must be given) or "0..1". */
    CommandSyntax parameter(int index, String label, String arity, String description, Consumer<String> set) {
        spec.addPositional(PositionalParamSpec.builder().index(Integer.toString(index)).arity(arity).required(!arity.startsWith("0"))
                .paramLabel(label).description(description).type(String.class).hasInitialValue(false).setter(setter(set)).build());
        return this;
    }

    /** All positional parameters from {@code index} on; {@code arity} such as "1..*". */
    CommandSyntax parameters(int index, String label, String arity, String description, Consumer<List<String>> set) {
        ListBinding list = ListBinding.to(set);
        spec.addPositional(PositionalParamSpec.builder().index(index + "..*").arity(arity).required(!arity.startsWith("0"))
                .paramLabel(label).description(description)
                .type(List.class).auxiliaryTypes(String.class).initialValue(list.values()).getter(list.getter()).setter(list.setter()).build());
        return this;
    }

    /** Not listed in the usage of its parent. */
    CommandSyntax hidden() {
        spec.usageMessage().hidden(true);
        return this;
    }

    /** Marks the command as the help command (picocli then does not require the parent's required options). */
    CommandSyntax helpCommand() {
        spec.helpCommand(true);
        return this;
    }

    CommandSyntax subcommand(CommandSyntax sub) {
        spec.addSubcommand(sub.spec.name(), new CommandLine(sub.spec, FACTORY));
        return this;
    }

    CommandSpec spec() {
        return spec;
    }

    /** One list that picocli adds a list-valued argument's values to, and the command holds from the start. */
    private record ListBinding(List<String> values, CommandLine.Model.IGetter getter, ISetter setter) {
        static ListBinding to(Consumer<List<String>> set) {
            List<String> values = new ArrayList<>();
            set.accept(values);
            CommandLine.Model.IGetter getter = new CommandLine.Model.IGetter() {
                @Override
                @SuppressWarnings("unchecked")
                public <T> T get() {
                    return (T) values;
                }
            };
            return new ListBinding(values, getter, CommandSyntax.setter((List<String> v) -> {
                if (v != values) {
                    values.clear();
                    values.addAll(v);
                }
            }));
        }
    }

    private static <V> ISetter setter(Consumer<V> set) {
        return new ISetter() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> T set(T value) {
                set.accept((V) value);
                return null;
            }
        };
    }

    /** Collections for multi-value options, and instances of classes with a no-argument constructor, as picocli's default factory makes them. */
    private static final class Factory implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            Object made;
            if (!type.isInterface()) {
                java.lang.reflect.Constructor<K> constructor = type.getDeclaredConstructor();
                constructor.setAccessible(true);
                return constructor.newInstance();
            } else if (java.util.SortedSet.class.isAssignableFrom(type)) {
                made = new java.util.TreeSet<>();
            } else if (java.util.Set.class.isAssignableFrom(type)) {
                made = new java.util.LinkedHashSet<>();
            } else if (java.util.Queue.class.isAssignableFrom(type)) {
                made = new java.util.ArrayDeque<>();
            } else if (java.util.Collection.class.isAssignableFrom(type)) {
                made = new ArrayList<>();
            } else if (java.util.SortedMap.class.isAssignableFrom(type)) {
                made = new java.util.TreeMap<>();
            } else if (java.util.Map.class.isAssignableFrom(type)) {
                made = new java.util.LinkedHashMap<>();
            } else {
                throw new InstantiationException("cannot make an instance of " + type.getName());
            }
            return type.cast(made);
        }
    }
}
